package dev.riffle.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.client.RiemannMessage;
import dev.riffle.core.Event;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack of issue #10 against a broker and bridge in a 1 GiB JVM, as {@code scripts/riffle} runs them: 300
 * connections announce 4 MiB frames and then send a byte a second, 100 more send 1 MiB of theirs at once and then
 * trickle, and a flood of connections beyond the limit follows. Meanwhile good traffic over TCP and UDP must be
 * counted in full, the memory budget must hold, nothing may run out of memory, the log must stay short, and
 * SIGTERM must stop it all cleanly afterwards.
 */
@Tag("slow")
class BridgeAttackTest {
    static final int TRICKLERS = 300;
    static final int FAST_PARTIAL = 100;
    static final int FLOOD = 1_000;
    static final int FRAME = 4 * 1024 * 1024;
    static final long BUDGET = 128L * 1024 * 1024;
    static final int TCP_MSGS = 2_000;
    static final int EVENTS_PER_MSG = 10;
    static final int UDP_EVENTS = 5_000;

    @TempDir
    Path dir;

    @Test
    void hostileConnectionsTakeNeitherTheHeapNorGoodTraffic() throws Exception {
        Process child = BridgeChild.command("1g", dir, Map.of(
                "RIFFLE_INGEST_TCP_MAX_CONNECTIONS", String.valueOf(TRICKLERS + FAST_PARTIAL + 2),
                "RIFFLE_INGEST_MEMORY_BYTES", String.valueOf(BUDGET),
                // so that the 1 MiB a fast attacker sent buys it seconds, not a minute, and the test stays short
                "RIFFLE_INGEST_TCP_MIN_BYTES_PER_SECOND", String.valueOf(256 * 1024))).start();
        BridgeChild.Output output = new BridgeChild.Output(child);
        List<SocketChannel> attackers = new ArrayList<>();
        try {
            output.awaitReady(Duration.ofSeconds(60));
            int port = Integer.parseInt(output.ready1.get("riemann"));
            InetSocketAddress bridge = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);

            ByteBuffer partial = ByteBuffer.allocate(4 + 1024 * 1024);
            partial.putInt(FRAME);
            for (int i = 0; i < TRICKLERS + FAST_PARTIAL; i++) {
                SocketChannel c = SocketChannel.open(bridge);
                c.configureBlocking(false);
                if (i < TRICKLERS) {
                    c.write(ByteBuffer.allocate(4).putInt(0, FRAME)); // announces 4 MiB
                } else {
                    c.write(partial.duplicate().clear()); // as much of 1 MiB as the bridge takes
                }
                attackers.add(c);
            }
            Socket good = new Socket(InetAddress.getLoopbackAddress(), port);
            int refusedFlood = flood(bridge);
            Thread trickle = new Thread(() -> trickle(attackers), "trickle");
            trickle.setDaemon(true);
            trickle.start();

            AtomicInteger ok = new AtomicInteger();
            Thread replies = new Thread(() -> readReplies(good, ok), "replies");
            replies.start();
            long now = System.currentTimeMillis() * 1000L;
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(good.getOutputStream(), 1 << 16));
            try (DatagramSocket udp = new DatagramSocket()) {
                for (int m = 0; m < Math.max(TCP_MSGS, UDP_EVENTS); m++) {
                    if (m < TCP_MSGS) {
                        RiemannMessage msg = new RiemannMessage();
                        for (int e = 0; e < EVENTS_PER_MSG; e++) {
                            int i = m * EVENTS_PER_MSG + e;
                            msg.event(now + i, "good" + (i % 5), "good tcp", null, null, (double) i, null, Map.of(),
                                    "meter");
                        }
                        byte[] bytes = msg.toBytes();
                        out.writeInt(bytes.length);
                        out.write(bytes);
                    }
                    if (m < UDP_EVENTS) {
                        byte[] d = new RiemannMessage().event(now + m, "good-udp", "good udp", null, null, (double) m,
                                null, Map.of(), "meter").toBytes();
                        udp.send(new DatagramPacket(d, d.length, InetAddress.getLoopbackAddress(), port));
                    }
                    if (m % 100 == 99) {
                        out.flush();
                        Thread.sleep(2); // good clients at a modest pace: any loss would be the bridge's
                    }
                }
                out.flush();
            }
            good.shutdownOutput();
            replies.join(60_000);
            good.close();
            assertEquals(TCP_MSGS, ok.get(), "good TCP Msgs answered ok");

            // the tricklers are closed by the rate rule within seconds, the fast ones by the rule or for memory
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (output.stat("slow") + output.stat("memoryfull") < TRICKLERS + FAST_PARTIAL
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(output.stat("slow") >= TRICKLERS, "tricklers closed: " + output.stat);
            assertEquals(TRICKLERS + FAST_PARTIAL, output.stat("slow") + output.stat("memoryfull"),
                    String.valueOf(output.stat));
            assertTrue(refusedFlood >= FLOOD / 2, "flood refused: " + refusedFlood);
            assertEquals(refusedFlood, output.stat("limit"), "every refused connection counted: " + output.stat);

            try (EventsTopicReader topic = new EventsTopicReader(output.ready1.get("kafka"), "riffle-events")) {
                List<Event> events = topic.await(all -> count(all, "good tcp") == TCP_MSGS * EVENTS_PER_MSG
                        && count(all, "good udp") == UDP_EVENTS, Duration.ofSeconds(30));
                assertEquals(TCP_MSGS * EVENTS_PER_MSG, count(events, "good tcp"));
                assertEquals(UDP_EVENTS, count(events, "good udp"));
            }
            assertEquals(0, output.stat("dropped") - output.stat("memoryfull"), "good input dropped: " + output.stat);
            long peak = output.peaks.get("peak");
            long heapPeak = output.peaks.get("heap");
            long refusedOrClosed = output.stat("limit") + output.stat("slow") + output.stat("memoryfull");
            System.out.printf("attack: budget peak %d MiB of %d, heap peak %d MiB, %d connections refused or closed,"
                    + " %d log lines about them%n", peak >> 20, BUDGET >> 20, heapPeak >> 20, refusedOrClosed,
                    logLines(output, "IngestCounters"));
            assertTrue(peak <= BUDGET + (1 << 20), "memory budget exceeded: peak " + peak);
            // one line at most per 10 s for all refusals together, not one per connection
            assertTrue(refusedOrClosed >= 900, "refused or closed " + refusedOrClosed);
            assertTrue(logLines(output, "IngestCounters") <= 3, String.join("\n", output.lines));
        } finally {
            for (SocketChannel c : attackers) {
                c.close();
            }
            child.toHandle().destroy(); // SIGTERM; unlike Process.destroy() it leaves the child's output readable
            boolean stopped = child.waitFor(30, TimeUnit.SECONDS);
            child.destroyForcibly();
            assertTrue(stopped, "SIGTERM did not stop the bridge within 30 s");
        }
        output.awaitEnd(Duration.ofSeconds(10));
        assertEquals(143, child.exitValue(), "exit after SIGTERM: " + output.lines);
        assertTrue(output.lines.contains("STOPPED"), "shutdown did not complete: " + String.join("\n", output.lines));
        assertFalse(output.lines.stream().anyMatch(l -> l.contains("OutOfMemoryError")), output.lines.toString());
    }

    /**
     * Connections over the limit, all opened at once and kept open (those the bridge accepts hold a slot); returns
     * how many the bridge reset. Closes them all before returning.
     */
    private static int flood(InetSocketAddress bridge) throws IOException, InterruptedException {
        List<SocketChannel> flood = new ArrayList<>();
        int reset = 0;
        try {
            for (int i = 0; i < FLOOD; i++) {
                try {
                    flood.add(SocketChannel.open(bridge));
                } catch (IOException refused) {
                    reset++; // reset while connecting
                }
            }
            Thread.sleep(500); // time for the bridge to reset what it refuses
            ByteBuffer one = ByteBuffer.allocate(1);
            for (SocketChannel c : flood) {
                c.configureBlocking(false);
                try {
                    if (c.read(one.clear()) < 0) {
                        reset++;
                    }
                } catch (IOException refused) {
                    reset++;
                }
            }
            return reset;
        } finally {
            for (SocketChannel c : flood) {
                c.close();
            }
        }
    }

    private static void trickle(List<SocketChannel> attackers) {
        ByteBuffer one = ByteBuffer.allocate(1);
        for (int second = 0; second < 120; second++) {
            for (SocketChannel c : attackers) {
                try {
                    c.write(one.clear());
                } catch (IOException closed) {
                    // the bridge hung up: as it should
                }
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void readReplies(Socket s, AtomicInteger ok) {
        try {
            DataInputStream in = new DataInputStream(s.getInputStream());
            while (true) {
                assertNull(RiemannMessage.replyError(in.readNBytes(in.readInt())));
                ok.incrementAndGet();
            }
        } catch (IOException end) {
            // every reply read
        }
    }

    private static int count(List<Event> events, String service) {
        Set<Double> distinct = new HashSet<>();
        for (Event e : events) {
            if (e.service().equals(service)) {
                distinct.add(e.metric());
            }
        }
        return distinct.size();
    }

    private static long logLines(BridgeChild.Output output, String reason) {
        synchronized (output.lines) {
            return output.lines.stream().filter(l -> l.contains(reason)).count();
        }
    }
}
