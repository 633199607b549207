package dev.riffle.ingest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP port, one thread: receives datagrams, lets the protocol's {@link DatagramDecoder} turn each into
 * events, gathers them for a few milliseconds and hands them to the {@link Intake}. No reply is ever sent.
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
    private final Thread thread;
    private volatile boolean closed;

    UdpListener(String protocol, InetSocketAddress address, int maxDatagram, int receiveBuffer,
                DatagramDecoder decoder, Gatherer gatherer, IngestCounters counters) throws IOException {
        this.protocol = protocol;
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
        this.thread = new Thread(this::receiveLoop, "riffle-udp-" + protocol.replace(' ', '-'));
        thread.setDaemon(true);
    }

    int port() {
        return ((InetSocketAddress) channel.socket().getLocalSocketAddress()).getPort();
    }

    void start() {
        thread.start();
    }

    private void receiveLoop() {
        // one byte more than allowed, so that an oversized datagram is seen as such instead of silently cut
        ByteBuffer buf = ByteBuffer.allocate(maxDatagram + 1);
        try {
            while (!closed) {
                buf.clear();
                boolean got = channel.receive(buf) != null;
                long now = System.nanoTime();
                if (got) {
                    handle(buf.array(), buf.position(), now);
                    gatherer.flushIfDue(now);
                } else {
                    gatherer.flushIfDue(now);
                    selector.select(gatherer.millisUntilDue(now));
                    selector.selectedKeys().clear();
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                log.error("{} UDP listener stopped: {}", protocol, e.toString());
            }
        } finally {
            gatherer.flush();
        }
    }

    private void handle(byte[] datagram, int length, long nowNanos) {
        if (length > maxDatagram) {
            counters.reject(IngestCounters.Reason.OVERSIZED_MESSAGE, protocol + " datagram over " + maxDatagram
                    + " bytes");
            return;
        }
        try {
            decoder.decode(datagram, 0, length, System.currentTimeMillis() * 1000L, gatherer.pending(nowNanos));
        } catch (MalformedInputException e) {
            counters.reject(e.reason(), protocol + " datagram: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(5_000);
            channel.close();
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
