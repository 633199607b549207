package dev.riffle.client;

import dev.riffle.core.Event;
import dev.riffle.ingest.IngestCounters;
import dev.riffle.ingest.RiemannDecoder;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A UDP socket on loopback standing in for the bridge: keeps every datagram's size and decoded events. */
final class DatagramCatcher implements AutoCloseable {
    private final DatagramSocket socket;
    private final RiemannDecoder decoder = new RiemannDecoder(new IngestCounters());
    final List<Integer> sizes = new ArrayList<>();
    final List<Event> events = new ArrayList<>();

    DatagramCatcher() throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        socket.setSoTimeout(100);
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Receives until {@code count} events arrived or the timeout passed; returns the events so far. */
    List<Event> await(int count, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buf = new byte[65_536];
        while (events.size() < count && System.nanoTime() - deadline < 0) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            }
            sizes.add(p.getLength());
            events.addAll(decoder.decode(p.getData(), 0, p.getLength(), 0).events());
        }
        return events;
    }

    @Override
    public void close() {
        socket.close();
    }
}
