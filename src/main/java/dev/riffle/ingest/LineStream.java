package dev.riffle.ingest;

import dev.riffle.core.Event;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A line protocol over TCP: one record per line, no reply. A bad line is counted and the connection goes on;
 * a line longer than the bound is counted and skipped up to its end, never buffered whole. Events of the lines
 * that have arrived together are handed on together, before the next wait for input.
 *
 * <p>What a client can rely on, without replies: when it half-closes its side (shutdown of output, {@code nc -N}),
 * the bridge closes the connection only after Kafka has acknowledged every event of it, with an orderly close
 * (FIN) when Kafka took them all and a reset (RST) when any was refused or given up. A client that reads until the
 * end of the stream and sees no error therefore knows Kafka has its events. The same holds when the bridge closes
 * the connection for idleness or slowness. A connection closed by the client without waiting gives no promise.
 *
 * <p>Memory: the connection's read buffer and a line buffer of {@link #BUFFER} bytes each, charged when it is
 * accepted; a longer line grows its buffer as its bytes arrive, from the budget's share for frames, up to
 * {@code ingest.json_max_line_bytes}; a line that gets no memory within the grace is counted as
 * {@code dropped memory-full} and skipped.
 */
final class LineStream implements StreamHandler {
    static final int BUFFER = 4 * 1024;
    /** Lines gathered into one hand-over, by bytes: the events decoded from them are charged to the connection. */
    private static final int MAX_GATHERED_BYTES = BUFFER;
    private static final int DECODE_FACTOR = 3;
    private static final int MAX_OUTSTANDING = 64;

    private final LineDecoder lines;
    private final int maxLine;
    private final Intake intake;
    private final IngestCounters counters;
    private final MemoryBudget budget;

    LineStream(LineDecoder lines, int maxLine, Intake intake, IngestCounters counters, MemoryBudget budget) {
        this.lines = lines;
        this.maxLine = maxLine;
        this.intake = intake;
        this.counters = counters;
        this.budget = budget;
    }

    @Override
    public int connectionBytes() {
        return 2 * BUFFER + DECODE_FACTOR * MAX_GATHERED_BYTES + 1024;
    }

    @Override
    public void serve(TcpConnection conn) throws IOException, InterruptedException {
        byte[] line = new byte[Math.min(maxLine, BUFFER)];
        int length = 0;
        boolean skipping = false; // inside a line that was too long, or got no memory
        List<Event> events = new ArrayList<>();
        int gathered = 0;
        ArrayDeque<Ack> acks = new ArrayDeque<>();
        String failure = null;
        byte[] chunk = new byte[BUFFER];
        ArrivalClock.Lane lane = conn.lane();
        long firstReceived = 0; // of the events gathered so far
        try {
            while (true) {
                if (gathered >= MAX_GATHERED_BYTES || (gathered > 0 && conn.available() == 0)) {
                    acks.add(handOver(conn, events, firstReceived));
                    events = new ArrayList<>();
                    gathered = 0;
                }
                if (events.isEmpty()) {
                    lane.published(); // lines refused or not yet complete hold nothing back
                }
                failure = settle(acks, failure, conn);
                if (length == 0 && line.length > BUFFER && conn.available() == 0) {
                    budget.release(MemoryBudget.Use.FRAMES, line.length - BUFFER);
                    line = new byte[BUFFER]; // idle again: back to the small buffer
                }
                int n = conn.read(chunk, 0, chunk.length, 0);
                if (n < 0) {
                    break;
                }
                long received = n > 0 ? lane.arrive() : 0;
                if (n > 0 && !events.isEmpty() && received - firstReceived > ArrivalClock.MAX_SHARED_STAMP_MICROS) {
                    // read before a stall: what comes after it does not take their stamp (the lane stays held at
                    // the older one until everything is handed over)
                    acks.add(handOver(conn, events, firstReceived));
                    events = new ArrayList<>();
                    gathered = 0;
                }
                if (events.isEmpty()) {
                    firstReceived = received;
                }
                for (int i = 0; i < n; i++) {
                    byte b = chunk[i];
                    if (b == '\n') {
                        if (!skipping) {
                            int before = events.size();
                            DatagramLines.decodeOne(lines, counters, line, 0,
                                    DatagramLines.trimCarriageReturn(line, 0, length), received, events);
                            gathered += events.size() > before ? length : 0;
                        }
                        length = 0;
                        skipping = false;
                    } else if (!skipping) {
                        if (length == maxLine) {
                            counters.reject(IngestCounters.Reason.OVERSIZED_LINE, "line over " + maxLine
                                    + " bytes from " + conn.client());
                            skipping = true;
                            length = 0;
                            continue;
                        }
                        if (length == line.length) {
                            int size = Math.min(maxLine, line.length * 2);
                            long t0 = System.nanoTime();
                            boolean got = budget.reserveFrame(size - line.length, TcpConnection.GRACE_MILLIS);
                            conn.paused(System.nanoTime() - t0);
                            if (!got) {
                                counters.count(IngestCounters.Reason.MEMORY_FULL, 1, "no memory for a line of over "
                                        + length + " bytes from " + conn.client());
                                skipping = true;
                                length = 0;
                                continue;
                            }
                            line = Arrays.copyOf(line, size);
                        }
                        line[length++] = b;
                    }
                }
                if (length == 0 && !skipping) {
                    conn.unitDone();
                } else if (!conn.inUnit()) {
                    conn.unitStarted(length, -1);
                }
            }
            if (!skipping && length > 0) {
                // the last line may come without a line end
                long received = lane.arrive();
                if (events.isEmpty()) {
                    firstReceived = received;
                }
                DatagramLines.decodeOne(lines, counters, line, 0, DatagramLines.trimCarriageReturn(line, 0, length),
                        received, events);
            }
            acks.add(intake.put(events, firstReceived));
            lane.published();
            while (!acks.isEmpty()) {
                acks.peek().await(1_000);
                failure = settle(acks, failure, conn);
            }
            if (failure != null) {
                conn.reset(); // the client learns that not every event reached Kafka
            }
        } catch (TcpConnection.Closed e) {
            // closed for idleness or slowness: an orderly close still means Kafka has every event, so reset
            // unless it does
            if (failure != null || !events.isEmpty() || acks.stream().anyMatch(a -> !a.settled()
                    || a.failure() != null)) {
                conn.reset();
            }
            throw e;
        } finally {
            budget.release(MemoryBudget.Use.FRAMES, line.length - Math.min(maxLine, BUFFER));
        }
    }

    /** Hands the events gathered so far to the intake; the time waiting for room is not the client's. */
    private Ack handOver(TcpConnection conn, List<Event> events, long firstReceived) throws InterruptedException {
        long t0 = System.nanoTime();
        Ack ack = intake.put(events, firstReceived);
        conn.lane().handed(events);
        conn.paused(System.nanoTime() - t0);
        return ack;
    }

    /** Drops settled answers, remembering the first failure; waits while too many are outstanding. */
    private static String settle(ArrayDeque<Ack> acks, String failure, TcpConnection conn)
            throws InterruptedException {
        while (!acks.isEmpty()) {
            if (!acks.peek().settled()) {
                if (acks.size() < MAX_OUTSTANDING) {
                    break;
                }
                long t0 = System.nanoTime();
                acks.peek().await(1_000);
                conn.paused(System.nanoTime() - t0);
                continue;
            }
            String f = acks.poll().failure();
            failure = failure == null ? f : failure;
        }
        return failure;
    }
}
