package dev.riffle.demo;

import dev.riffle.client.Riffle;
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
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the demo site really sends: the real {@link DemoSite} and Riffle clients sending Riemann protobuf over UDP
 * to a loopback socket standing in for the bridge, decoded by the bridge's own decoder. The ticks are played
 * back to back (not in real time), so a test gets every kind the demo makes, deploys included, in well under a
 * second; the event times are the clients' own clock, as in a real run.
 */
public final class DemoEvents {
    private static final Logger log = LoggerFactory.getLogger(DemoEvents.class);

    private DemoEvents() {
    }

    /** The events of the first {@code ticks} tenths of a second of the site (past 8 s: the production deploy). */
    public static List<Event> play(int ticks, long seed, Duration timeout) throws IOException, InterruptedException {
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setReceiveBufferSize(8 << 20);
            socket.setSoTimeout(50);
            Thread receiver = new Thread(() -> receive(socket, events), "demo-catcher");
            receiver.start();
            DemoSite site = new DemoSite((name, environment) -> Riffle.builder()
                    .bridge("127.0.0.1", socket.getLocalPort()).protocol(Riffle.Protocol.UDP)
                    .hostname(name).environment(environment).build(), new Random(seed));
            try {
                for (int tick = 0; tick < ticks; tick++) {
                    site.tick(tick);
                }
            } finally {
                site.close();
            }
            if (site.dropped() + site.failed() > 0) {
                throw new IllegalStateException("the demo's clients dropped " + site.dropped() + " and failed "
                        + site.failed() + " events");
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (events.size() < site.sent() && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
            receiver.interrupt();
            receiver.join(1_000);
            log.info("demo: {} ticks, {} events sent, {} received", ticks, site.sent(), events.size());
            if (events.size() != site.sent()) {
                throw new IllegalStateException("sent " + site.sent() + " events, received " + events.size());
            }
            synchronized (events) {
                return List.copyOf(events);
            }
        }
    }

    private static void receive(DatagramSocket socket, List<Event> into) {
        RiemannDecoder decoder = new RiemannDecoder(new IngestCounters());
        byte[] buf = new byte[65_536];
        while (!Thread.currentThread().isInterrupted()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                return; // closed
            }
            into.addAll(decoder.decode(p.getData(), 0, p.getLength(), System.currentTimeMillis() * 1000).events());
        }
    }
}
