package dev.riffle.ingest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
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
    private final int chunkBytes;
    private final int maxChunks;
    private final MemoryBudget budget;
    private int chunks;
    private final BlockingQueue<DatagramChunk> free;
    private final BlockingQueue<DatagramChunk> received;
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
        int granted = channel.getOption(StandardSocketOptions.SO_RCVBUF);
        if (granted < receiveBuffer) {
            log.warn("{} UDP receive buffer: asked for {} bytes, the OS granted {}; bursts may be lost "
                    + "(raise net.core.rmem_max)", protocol, receiveBuffer, granted);
        }
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
        this.free = new ArrayBlockingQueue<>(maxChunks);
        this.received = new ArrayBlockingQueue<>(maxChunks);
        String name = "riffle-udp-" + protocol.replace(' ', '-');
        this.receiver = new Thread(this::receiveLoop, name + "-receive");
        this.decoding = new Thread(this::decodeLoop, name + "-decode");
        receiver.setDaemon(true);
        decoding.setDaemon(true);
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
                    received.add(chunk); // its datagrams share its first stamp: none read after a stall joins them
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
                        received.add(chunk);
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
                        received.add(chunk);
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
            received.add(chunk);
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
                long wait = gatherer.millisUntilDue(now);
                DatagramChunk chunk = received.poll(wait == 0 ? 200 : wait, TimeUnit.MILLISECONDS);
                if (chunk != null) {
                    decode(chunk);
                    chunkStamps.poll(); // its events are in the gatherer (or published) now
                    chunk.clear();
                    free.add(chunk);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
