package dev.riffle.ingest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP port, two threads: one only drains the socket into chunks of datagrams, the other lets the protocol's
 * {@link DatagramDecoder} turn them into events, gathers those for a few milliseconds and hands them to the
 * {@link Intake}. No reply is ever sent.
 *
 * <p>Why two: the kernel charges ~1 KiB of overhead per small datagram against the socket's receive buffer, so
 * it absorbs only milliseconds at high rates, and a GC pause or a busy CPU in the decoding thread would overflow
 * it unseen. The receive thread is cheap and keeps up; the chunks hold bursts at their real size. There are at
 * most (receive buffer size / chunk size) chunks, each charged to the memory budget when it is first needed (the
 * first one always, the others while they stay within an eighth of the budget); when all are waiting to be
 * decoded, or the budget has no room for another, datagrams are dropped and counted.
 *
 * <p>The receive thread must get the CPU whenever datagrams wait, on a machine where the broker, the stream
 * thread, the JIT and other processes compete for it (issue 22). Per datagram it does one read from the socket
 * (about 0.8-1 µs of CPU, nearly all of it the system call), a clock read for the receive stamp and a few
 * stores; per chunk one hand-over. It never takes a lock the decoding thread may hold: chunks go back and forth
 * through lock-free queues and the decoding thread is unparked, so a decoding thread preempted at the wrong moment
 * cannot hold it up.
 */
final class UdpListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpListener.class);

    private final String protocol;
    private final DatagramChannel channel;
    private final Selector selector;
    private final DatagramDecoder decoder;
    private final Gatherer gatherer;
    private final IngestCounters counters;
    private final int maxDatagram;
    private final int grantedBuffer;
    private final int chunkBytes;
    private final int maxChunks;
    private final MemoryBudget budget;
    private int chunks;
    /** both bounded by the number of chunks made (at most maxChunks) */
    private final Queue<DatagramChunk> free = new ConcurrentLinkedQueue<>();
    private final Queue<DatagramChunk> received = new ConcurrentLinkedQueue<>();
    /** set by the decoding thread before it parks for want of chunks, so the receive thread knows to unpark it */
    private volatile boolean decoderWaiting;
    private final Thread receiver;
    private final Thread decoding;
    private final ArrivalClock clock;
    /** receive stamps of the chunks not yet decoded into the gatherer, oldest first */
    private final ConcurrentLinkedQueue<Long> chunkStamps = new ConcurrentLinkedQueue<>();
    private final ArrivalClock.Pending undecoded = () -> {
        Long oldest = chunkStamps.peek();
        return oldest == null ? Long.MAX_VALUE : oldest;
    };
    private ArrivalClock.Lane lane;
    private volatile boolean closed;

    UdpListener(String protocol, InetSocketAddress address, int maxDatagram, int receiveBuffer,
                DatagramDecoder decoder, Gatherer gatherer, IngestCounters counters, ArrivalClock clock,
                MemoryBudget budget) throws IOException {
        this.budget = budget;
        this.protocol = protocol;
        this.clock = clock;
        this.channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
        this.grantedBuffer = channel.getOption(StandardSocketOptions.SO_RCVBUF); // the bridge warns when short
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        channel.bind(address);
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
        this.decoder = decoder;
        this.gatherer = gatherer;
        this.counters = counters;
        this.maxDatagram = maxDatagram;
        this.chunkBytes = Math.max(64 * 1024, 4 * (maxDatagram + 1));
        this.maxChunks = Math.max(4, receiveBuffer / chunkBytes);
        // "udp-statsd-receive": Linux keeps 15 characters of a thread's name, enough to tell the two apart in top -H
        String name = "udp-" + protocol.replace(' ', '-');
        this.receiver = new Thread(this::receiveLoop, name + "-receive");
        this.decoding = new Thread(this::decodeLoop, name + "-decode");
        receiver.setDaemon(true);
        decoding.setDaemon(true);
    }

    /** The socket receive buffer the OS granted (it caps what is asked at net.core.rmem_max). */
    int grantedReceiveBuffer() {
        return grantedBuffer;
    }

    int port() {
        return ((InetSocketAddress) channel.socket().getLocalSocketAddress()).getPort();
    }

    void start() {
        // the order the watermark reads them in: the receive lane, then the chunks, then the gatherer
        lane = clock.lane();
        clock.add(undecoded);
        clock.add(gatherer);
        decoding.start();
        receiver.start();
    }

    private void receiveLoop() {
        // room for one byte more than allowed, so that an oversized datagram is seen as such instead of cut
        int room = maxDatagram + 1;
        ByteBuffer overflow = ByteBuffer.allocate(room);
        DatagramChunk chunk = null;
        try {
            while (!closed) {
                long stamp = lane.arrive();
                if (chunk != null && chunk.count() > 0
                        && stamp - chunk.receiveMicros() > ArrivalClock.MAX_SHARED_STAMP_MICROS) {
                    handOver(chunk); // its datagrams share its first stamp: none read after a stall joins them
                    chunk = null;
                }
                if (chunk == null) {
                    chunk = obtainChunk();
                }
                ByteBuffer space = chunk == null ? overflow.clear() : chunk.space(room);
                int start = space.position();
                if (channel.receive(space) == null) {
                    lane.published();
                    lane.drained();
                    // drained: hand over now if the decoding thread is idle, else let the chunk fill up
                    if (chunk != null && chunk.count() > 0 && received.isEmpty()) {
                        handOver(chunk);
                        chunk = null;
                    }
                    boolean holding = chunk != null && chunk.count() > 0;
                    selector.select(holding ? 1 : 1_000);
                    selector.selectedKeys().clear();
                    continue;
                }
                int length = space.position() - start;
                if (length > maxDatagram) {
                    counters.reject(IngestCounters.Reason.OVERSIZED_MESSAGE, protocol + " datagram over "
                            + maxDatagram + " bytes");
                } else if (chunk == null) {
                    counters.count(IngestCounters.Reason.RECEIVE_QUEUE_FULL, 1, protocol
                            + " datagram: every receive chunk is waiting to be decoded");
                } else {
                    if (chunk.count() == 0) {
                        chunkStamps.add(stamp); // before the lane lets go of it
                    }
                    chunk.commit(length, stamp);
                    if (chunk.space(room) == null) {
                        handOver(chunk);
                        chunk = null;
                    }
                }
                lane.published();
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                log.error("{} UDP listener stopped: {}", protocol, e.toString());
            }
        }
        if (chunk != null && chunk.count() > 0) {
            handOver(chunk);
        }
    }

    private void handOver(DatagramChunk chunk) {
        received.add(chunk);
        if (decoderWaiting) {
            LockSupport.unpark(decoding);
        }
    }

    /** A free chunk, a new one while fewer than the bound exist, else null. */
    private DatagramChunk obtainChunk() {
        DatagramChunk c = free.poll();
        if (c == null && chunks < maxChunks) {
            if (chunks == 0) {
                budget.force(MemoryBudget.Use.BUFFERS, chunkBytes); // one chunk at least, or nothing is received
            } else if ((chunks + 1L) * chunkBytes > budget.limit() / 8
                    || !budget.tryReserve(MemoryBudget.Use.BUFFERS, chunkBytes)) {
                return null; // chunks are kept once made: at most an eighth of the budget, so they never starve it
            }
            chunks++;
            c = new DatagramChunk(chunkBytes);
        }
        return c;
    }

    private void decodeLoop() {
        try {
            // on close, decode what the receive thread still hands over before it ends
            while (!closed || receiver.isAlive() || !received.isEmpty()) {
                long now = System.nanoTime();
                gatherer.flushIfDue(now);
                DatagramChunk chunk = received.poll();
                if (chunk == null) {
                    long wait = gatherer.millisUntilDue(now);
                    decoderWaiting = true;
                    if (received.isEmpty()) { // checked after saying so: a hand-over in between unparks
                        LockSupport.parkNanos(this, (wait == 0 ? 200 : wait) * 1_000_000L);
                    }
                    decoderWaiting = false;
                    continue;
                }
                decode(chunk);
                chunkStamps.poll(); // its events are in the gatherer (or published) now
                chunk.clear();
                free.add(chunk);
            }
        } finally {
            gatherer.flush();
        }
    }

    private void decode(DatagramChunk chunk) {
        for (int i = 0; i < chunk.count(); i++) {
            long now = System.nanoTime();
            try {
                decoder.decode(chunk.data, chunk.start(i), chunk.length(i), chunk.receiveMicros(),
                        gatherer.pending(now, chunk.receiveMicros()));
            } catch (MalformedInputException e) {
                counters.reject(e.reason(), protocol + " datagram: " + e.getMessage());
            }
            gatherer.flushIfDue(now);
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            receiver.join(5_000);
            LockSupport.unpark(decoding); // it decodes what is left, and sees the receiver gone
            decoding.join(5_000);
            if (lane != null) {
                lane.close();
                clock.remove(undecoded);
                clock.remove(gatherer);
            }
            channel.close();
            selector.close();
            budget.release(MemoryBudget.Use.BUFFERS, (long) chunks * chunkBytes);
        } catch (IOException ignored) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
