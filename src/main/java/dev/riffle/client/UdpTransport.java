package dev.riffle.client;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Riemann over UDP: one Msg per datagram, no answer. The bridge's name is resolved here, off the caller's thread. */
final class UdpTransport extends Transport {
    private volatile DatagramSocket socket;
    private InetSocketAddress address;

    UdpTransport(String host, int port, ClientCounters counters, FailureLog failures) {
        super(host, port, counters, failures);
    }

    @Override
    void deliver(byte[] msg, int events) {
        try {
            socket.send(new DatagramPacket(msg, msg.length, address));
            counters.sent.add(events);
        } catch (IOException | RuntimeException e) {
            counters.failed.add(events);
            failures.warn("cannot send to " + bridge("UDP") + ": " + e);
            address = null; // resolve again, after a pause
            backoff.failed();
        }
    }

    @Override
    boolean ready() {
        if (address != null && socket != null) {
            return true;
        }
        if (!backoff.due()) {
            return false;
        }
        try {
            InetAddress ip = InetAddress.getByName(host);
            if (socket == null) {
                socket = new DatagramSocket();
            }
            address = new InetSocketAddress(ip, port);
            backoff.succeeded();
            return true;
        } catch (IOException | RuntimeException e) {
            failures.warn("cannot reach " + bridge("UDP") + ": " + e);
            backoff.failed();
            return false;
        }
    }

    @Override
    void abort() {
        DatagramSocket s = socket;
        if (s != null) {
            s.close();
        }
    }
}
