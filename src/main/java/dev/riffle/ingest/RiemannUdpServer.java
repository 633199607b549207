package dev.riffle.ingest;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Riemann protobuf over UDP: one Msg per datagram, no reply. */
final class RiemannUdpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RiemannUdpServer.class);

    private final DatagramSocket socket;
    private final RiemannDecoder decoder;
    private final EventPublisher publisher;
    private final IngestCounters counters;
    private final int maxDatagram;
    private final Thread thread;

    RiemannUdpServer(InetSocketAddress address, int maxDatagram, int receiveBuffer, RiemannDecoder decoder,
                     EventPublisher publisher, IngestCounters counters) throws SocketException {
        this.socket = new DatagramSocket(null);
        socket.setReceiveBufferSize(receiveBuffer);
        if (socket.getReceiveBufferSize() < receiveBuffer) {
            log.warn("UDP receive buffer: asked for {} bytes, the OS granted {} (raise net.core.rmem_max)",
                    receiveBuffer, socket.getReceiveBufferSize());
        }
        socket.bind(address);
        this.decoder = decoder;
        this.publisher = publisher;
        this.counters = counters;
        this.maxDatagram = maxDatagram;
        this.thread = new Thread(this::receiveLoop, "riffle-riemann-udp");
        thread.setDaemon(true);
    }

    int port() {
        return socket.getLocalPort();
    }

    void start() {
        thread.start();
    }

    private void receiveLoop() {
        // one byte more than allowed, so that an oversized datagram is seen as such instead of silently cut
        byte[] buf = new byte[maxDatagram + 1];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        while (!socket.isClosed()) {
            try {
                packet.setLength(buf.length);
                socket.receive(packet);
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.warn("UDP receive failed: {}", e.toString());
                }
                continue;
            }
            if (packet.getLength() > maxDatagram) {
                counters.reject(IngestCounters.Reason.OVERSIZED_MESSAGE, "datagram over " + maxDatagram + " bytes");
                continue;
            }
            long now = System.currentTimeMillis() * 1000L;
            try {
                RiemannDecoder.Decoded msg = decoder.decode(buf, 0, packet.getLength(), now);
                counters.received(msg.events().size());
                publisher.publish(msg.events());
            } catch (MalformedInputException e) {
                counters.reject(IngestCounters.Reason.MALFORMED_MESSAGE, "UDP datagram from "
                        + packet.getSocketAddress() + ": " + e.getMessage());
            } catch (RuntimeException e) {
                counters.reject(IngestCounters.Reason.PUBLISH_FAILED, e.toString());
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
