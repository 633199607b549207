package dev.riffle.ingest;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Riemann protobuf over TCP: each Msg framed by a 4-byte big-endian length, each answered in order with a framed
 * Msg{ok=true} once Kafka has acknowledged every event in it (acks=all), or Msg{ok=false, error} when it was
 * refused (unreadable, a query, Kafka refused it, no memory for it).
 *
 * <p>Pipelined: while Msg N waits for Kafka, Msg N+1 is read, decoded and handed to the producer; at most
 * {@link #MAX_OUTSTANDING} Msgs wait per connection, then reading pauses. Replies leave strictly in order.
 *
 * <p>Memory: a connection holds a {@link #BUFFER}-byte read buffer (charged with its reply buffer and an allowance
 * for decoding a Msg of that size when the connection is accepted). A larger Msg is read as its bytes arrive, the
 * buffer doubling at most up to the Msg's size, each step reserved from the budget's share for frames first;
 * while Kafka is behind this waits (backpressure), but a Msg that finds the frames' share of the budget full for
 * {@link TcpConnection#GRACE_MILLIS} is refused ({@code dropped memory-full}) and the connection closed.
 * Once the client stops sending, the buffer shrinks back.
 */
final class RiemannFraming implements StreamHandler {
    static final int BUFFER = 4 * 1024;
    /** Enough for a client pipelining small Msgs at full speed through the producer's linger; memory bounds the rest. */
    static final int MAX_OUTSTANDING = 1024;
    /** Decoded events take about this many times the bytes of their Msg, until they are encoded for Kafka. */
    static final int DECODE_FACTOR = 3;
    private static final int REPLY_BUFFER = 1024;
    /** How long to wait for Kafka before looking at the client again: short, so pipelined input keeps flowing. */
    private static final long WAIT_STEP_MILLIS = 5;
    /** The same once Kafka has kept a Msg waiting for a second (slow or away): no busy wake-ups meanwhile. */
    private static final long SLOW_WAIT_STEP_MILLIS = 100;
    private static final long SLOW_AFTER_NANOS = 1_000_000_000L;
    private static final byte[] OK = RiemannDecoder.reply(true, null);

    private final RiemannDecoder decoder;
    private final Intake intake;
    private final IngestCounters counters;
    private final MemoryBudget budget;
    private final int maxFrame;

    RiemannFraming(RiemannDecoder decoder, int maxFrame, Intake intake, IngestCounters counters,
                   MemoryBudget budget) {
        this.decoder = decoder;
        this.maxFrame = maxFrame;
        this.intake = intake;
        this.counters = counters;
        this.budget = budget;
    }

    @Override
    public int connectionBytes() {
        return BUFFER * (1 + DECODE_FACTOR) + REPLY_BUFFER;
    }

    @Override
    public void serve(TcpConnection connection) throws IOException, InterruptedException {
        new Session(connection).run();
    }

    /** A Msg that was answered or awaits Kafka's answer; replies leave in this order. */
    private record Pending(Ack ack, byte[] reply, long since) {
        Pending(Ack ack, byte[] reply) {
            this(ack, reply, System.nanoTime());
        }

        byte[] answer() {
            if (reply != null) {
                return reply;
            }
            String failure = ack.failure();
            return failure == null ? OK : RiemannDecoder.reply(false, failure);
        }
    }

    /** One connection's state. */
    private final class Session {
        private final TcpConnection conn;
        private final OutputStream out;
        private final ArrayDeque<Pending> outstanding = new ArrayDeque<>();
        private byte[] buf = new byte[BUFFER];
        private int pos;
        private int lim;

        Session(TcpConnection conn) {
            this.conn = conn;
            this.out = conn.out();
        }

        void run() throws IOException, InterruptedException {
            try {
                while (true) {
                    writeSettled();
                    if (!outstanding.isEmpty() && (outstanding.size() >= MAX_OUTSTANDING
                            || (lim == pos && conn.available() == 0))) {
                        shrink();
                        awaitHead(waitStep()); // the client has nothing more for now: give its answers
                        continue;
                    }
                    if (lim == pos && conn.available() == 0) {
                        shrink(); // about to wait for the client: hold only the small buffer meanwhile
                    }
                    if (!fill(4, -1)) {
                        break; // also a half-closed client: every reply is still given below
                    }
                    int length = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16)
                            | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
                    if (length < 0 || length > maxFrame) {
                        // the stream cannot be resynchronised after a bad length: answer, then hang up
                        counters.reject(IngestCounters.Reason.OVERSIZED_MESSAGE, "TCP frame of "
                                + (length & 0xFFFFFFFFL) + " bytes from " + conn.client());
                        outstanding.add(new Pending(Ack.DONE, RiemannDecoder.reply(false, "message of "
                                + (length & 0xFFFFFFFFL) + " bytes is over the limit of " + maxFrame)));
                        break;
                    }
                    if (!fill(4 + length, 4 + length)) {
                        counters.reject(IngestCounters.Reason.TRUNCATED_FRAME, "TCP stream from " + conn.client()
                                + " ended inside a frame");
                        break;
                    }
                    conn.unitDone();
                    pos += 4;
                    outstanding.add(handle(pos, length));
                    conn.lane().owing(true);
                    pos += length;
                    if (pos < lim) {
                        conn.unitStarted(lim - pos, -1); // the next frame's first bytes came with this one
                    }
                }
                while (!outstanding.isEmpty()) {
                    awaitHead(1_000);
                    writeSettled();
                }
            } catch (TcpConnection.Closed e) {
                writeSettled(); // answers already known still go out; the others the client must take as lost
                throw e;
            } catch (MemoryFull e) {
                counters.count(IngestCounters.Reason.MEMORY_FULL, 1, e.getMessage());
                outstanding.add(new Pending(Ack.DONE, RiemannDecoder.reply(false, e.getMessage())));
                while (!outstanding.isEmpty()) {
                    awaitHead(1_000);
                    writeSettled();
                }
            } finally {
                out.flush();
                budget.release(MemoryBudget.Use.FRAMES, buf.length - BUFFER);
                buf = null;
            }
        }

        private long waitStep() {
            Pending head = outstanding.peek();
            return head != null && System.nanoTime() - head.since() > SLOW_AFTER_NANOS ? SLOW_WAIT_STEP_MILLIS
                    : WAIT_STEP_MILLIS;
        }

        /** Waits (not reading) for Kafka's answer to the oldest Msg; that time is not the client's. */
        private void awaitHead(long millis) throws InterruptedException {
            long t0 = System.nanoTime();
            outstanding.peek().ack().await(millis);
            conn.paused(System.nanoTime() - t0);
        }

        /** Writes the replies whose answer is known, oldest first, stopping at the first still awaited. */
        private void writeSettled() throws IOException {
            boolean wrote = false;
            while (!outstanding.isEmpty() && (outstanding.peek().reply() != null
                    || outstanding.peek().ack().settled())) {
                writeFrame(out, outstanding.poll().answer());
                wrote = true;
            }
            if (wrote) {
                out.flush();
                conn.replied();
                conn.lane().owing(!outstanding.isEmpty());
            }
        }

        /**
         * Makes {@code need} bytes readable at {@code pos}, reading as they arrive and growing the buffer only as
         * far as they fill it. False at the end of the stream.
         */
        private boolean fill(int need, long frameBytes) throws IOException, InterruptedException, MemoryFull {
            if (lim > pos && !conn.inUnit()) {
                conn.unitStarted(lim - pos, frameBytes);
            } else if (frameBytes >= 0) {
                conn.unitExpected(frameBytes);
            }
            while (lim - pos < need) {
                if (lim == buf.length) {
                    if (pos > 0) {
                        System.arraycopy(buf, pos, buf, 0, lim - pos);
                        lim -= pos;
                        pos = 0;
                    } else {
                        grow(need);
                    }
                }
                int n = conn.read(buf, lim, buf.length - lim, outstanding.isEmpty() ? 0 : waitStep());
                if (n < 0) {
                    return false;
                }
                if (n > 0 && !conn.inUnit()) {
                    conn.unitStarted(lim - pos + n, frameBytes);
                }
                lim += n;
                writeSettled(); // earlier Msgs' answers do not wait for a slow one
            }
            return true;
        }

        /** Doubles the buffer, at most to {@code need}, with memory from the frames' share of the budget. */
        private void grow(int need) throws InterruptedException, MemoryFull {
            int size = (int) Math.min(need, buf.length * 2L);
            long more = size - buf.length;
            reserveFrames(more, "a frame of " + (need - 4) + " bytes");
            buf = Arrays.copyOf(buf, size);
        }

        private void reserveFrames(long bytes, String what) throws InterruptedException, MemoryFull {
            long t0 = System.nanoTime();
            boolean got = budget.reserveFrame(bytes, TcpConnection.GRACE_MILLIS);
            conn.paused(System.nanoTime() - t0);
            if (!got) {
                throw new MemoryFull("the bridge has no memory for " + what + " now (memory budget "
                        + budget.limit() + " bytes); try again");
            }
        }

        /** Back to the small buffer once the client has nothing more in it. */
        private void shrink() {
            if (buf.length > BUFFER && lim - pos <= BUFFER) {
                byte[] small = new byte[BUFFER];
                System.arraycopy(buf, pos, small, 0, lim - pos);
                budget.release(MemoryBudget.Use.FRAMES, buf.length - BUFFER);
                buf = small;
                lim -= pos;
                pos = 0;
            }
        }

        /** Decodes and hands over one Msg; its receive stamp holds the bridge's watermark until then. */
        private Pending handle(int offset, int length) throws InterruptedException {
            ArrivalClock.Lane lane = conn.lane();
            long received = lane.arrive();
            try {
                return handle(offset, length, received);
            } finally {
                lane.published();
            }
        }

        private Pending handle(int offset, int length, long received) throws InterruptedException {
            // decoding a Msg larger than the connection's own buffer needs memory for its events too
            long decodeBytes = length > BUFFER ? (long) length * DECODE_FACTOR : 0;
            if (decodeBytes > 0) {
                try {
                    reserveFrames(decodeBytes, "the events of a message of " + length + " bytes");
                } catch (MemoryFull e) {
                    // the frame was read whole, so the stream stays in step: refuse this Msg only
                    counters.count(IngestCounters.Reason.MEMORY_FULL, 1, e.getMessage());
                    return new Pending(Ack.DONE, RiemannDecoder.reply(false, e.getMessage()));
                }
            }
            try {
                RiemannDecoder.Decoded msg;
                try {
                    msg = decoder.decode(buf, offset, length, received);
                } catch (MalformedInputException e) {
                    counters.reject(e.reason(), "TCP message from " + conn.client() + ": " + e.getMessage());
                    return new Pending(Ack.DONE, RiemannDecoder.reply(false, "malformed message: " + e.getMessage()));
                }
                if (msg.query()) {
                    counters.reject(IngestCounters.Reason.QUERY, "query over TCP from " + conn.client());
                    return new Pending(Ack.DONE, RiemannDecoder.reply(false, "queries are not supported"));
                }
                long t0 = System.nanoTime();
                Ack ack = intake.put(msg.events(), received);
                conn.lane().handed(msg.events());
                conn.paused(System.nanoTime() - t0);
                return new Pending(ack, null);
            } finally {
                budget.release(MemoryBudget.Use.FRAMES, decodeBytes);
            }
        }
    }

    /** No memory for a frame within the grace: it is refused and the connection closed. */
    private static final class MemoryFull extends Exception {
        MemoryFull(String message) {
            super(message);
        }
    }

    private static void writeFrame(OutputStream out, byte[] msg) throws IOException {
        out.write(msg.length >>> 24);
        out.write(msg.length >>> 16);
        out.write(msg.length >>> 8);
        out.write(msg.length);
        out.write(msg);
    }
}
