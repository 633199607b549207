package dev.riffle.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.client.RiemannMessage;
import dev.riffle.core.Event;
import dev.riffle.kafka.EmbeddedKafka;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
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
 * A Riemann {@code ok} means Kafka has the Msg: the bridge's JVM (with its in-process broker, as in
 * {@code riffle run}) is killed with SIGKILL the moment the Nth reply of a pipelined burst arrives; after a restart
 * on the same data dir every event of every acknowledged Msg is in the events topic.
 */
@Tag("slow")
class BridgeCrashTest {
    static final int MSGS = 1_000;
    static final int EVENTS_PER_MSG = 10;
    static final int KILL_AT_ACK = 300;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedEventSurvivesAKill9() throws Exception {
        Process child = BridgeChild.command("512m", dir, Map.of()).start();
        BridgeChild.Output output = new BridgeChild.Output(child);
        AtomicInteger acked = new AtomicInteger();
        try {
            output.awaitReady(Duration.ofSeconds(60));
            int port = Integer.parseInt(output.ready1.get("riemann"));
            long now = System.currentTimeMillis() * 1000L;
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                Thread reader = new Thread(() -> {
                    try {
                        while (true) {
                            String error = RiemannMessage.replyError(in.readNBytes(in.readInt()));
                            assertNull(error, "reply " + acked.get());
                            if (acked.incrementAndGet() == KILL_AT_ACK) {
                                child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
                            }
                        }
                    } catch (IOException gone) {
                        // the bridge died
                    }
                }, "replies");
                reader.start();
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
                try {
                    for (int m = 0; m < MSGS; m++) {
                        RiemannMessage msg = new RiemannMessage();
                        for (int e = 0; e < EVENTS_PER_MSG; e++) {
                            int i = m * EVENTS_PER_MSG + e;
                            msg.event(now + i, "box" + (i % 7), "crash", null, null, (double) i, null, Map.of(),
                                    "meter");
                        }
                        byte[] bytes = msg.toBytes();
                        out.writeInt(bytes.length);
                        out.write(bytes);
                        if (m % 20 == 19) {
                            out.flush(); // a burst, pipelined: never waiting for a reply
                        }
                    }
                    out.flush();
                } catch (IOException killed) {
                    // the bridge died mid-burst
                }
                reader.join(30_000);
            }
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        int ackedMsgs = acked.get();
        assertTrue(ackedMsgs >= KILL_AT_ACK && ackedMsgs < MSGS, "acknowledged " + ackedMsgs + " of " + MSGS
                + " Msgs: the kill must land inside the burst");

        EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start(); // recovers the killed log
        try (EventsTopicReader topic = new EventsTopicReader(kafka.bootstrapServers(), "riffle-events")) {
            int expected = ackedMsgs * EVENTS_PER_MSG;
            List<Event> events = topic.await(all -> present(all, expected).size() == expected,
                    Duration.ofSeconds(60));
            Set<Integer> found = present(events, expected);
            assertEquals(expected, found.size(), "acknowledged events missing after the restart: "
                    + (expected - found.size()) + " of " + expected);
        } finally {
            kafka.close();
        }
    }

    private static Set<Integer> present(List<Event> events, int below) {
        Set<Integer> found = new HashSet<>();
        for (Event e : events) {
            if (e.service().equals("crash") && e.metric() < below) {
                found.add(e.metric().intValue());
            }
        }
        return found;
    }
}
