package dev.riffle.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.client.RiemannMessage;
import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.core.Event;
import dev.riffle.kafka.EmbeddedKafka;
import dev.riffle.kafka.Topics;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka goes away and comes back: the bridge holds what fits its memory budget, drops further UDP input (counted),
 * stops answering TCP (backpressure) instead of growing, and carries on by itself when the broker returns.
 */
@Tag("slow")
class BridgeOutageTest {
    @TempDir
    Path dir;

    static byte[] msg(String host, String service) {
        return new RiemannMessage().event(System.currentTimeMillis() * 1000L, host, service, null, null, 1.0, null,
                Map.of(), "meter").toBytes();
    }

    @Test
    void kafkaAwayThenBack() throws Exception {
        EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
        Config config = BridgeKafkaTest.config(Map.of(IngestKeys.MEMORY_BYTES, 256 * 1024));
        Topics.ensure(kafka.bootstrapServers(), config, Duration.ofSeconds(30));
        Bridge bridge = new Bridge(config, kafka.bootstrapServers());
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (DatagramSocket udp = new DatagramSocket()) {
            bridge.start();
            byte[] before = msg("box1", "before");
            udp.send(new DatagramPacket(before, before.length, loopback, bridge.riemannPort()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (bridge.counters().published() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, bridge.counters().published());

            kafka.close();
            // far more than the 256 KiB memory budget holds: the rest must be dropped and counted, not kept
            for (int i = 0; i < 3_000; i++) {
                byte[] m = msg("host" + (i % 50), "during " + i);
                udp.send(new DatagramPacket(m, m.length, loopback, bridge.riemannPort()));
                if (i % 100 == 99) {
                    Thread.sleep(5); // let the bridge keep up: loss must come from Kafka being away only
                }
            }
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (bridge.counters().received() + bridge.counters().count(IngestCounters.Reason.RECEIVE_QUEUE_FULL)
                    < 3_001 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            // dropped because the memory budget is spent, or (when the producer lost the topic's metadata) because
            // Kafka is unreachable: counted either way, never held beyond the bound
            assertTrue(bridge.counters().total(IngestCounters.Group.DROPPED) > 0, "nothing dropped");

            try (Socket tcp = new Socket(loopback, bridge.riemannPort())) {
                tcp.setSoTimeout(1_500);
                DataOutputStream out = new DataOutputStream(tcp.getOutputStream());
                DataInputStream in = new DataInputStream(tcp.getInputStream());
                // a batch larger than the room left in the memory budget
                RiemannMessage batch = new RiemannMessage();
                for (int i = 0; i < 200; i++) {
                    batch.event(System.currentTimeMillis() * 1000L, "box2", "over tcp", null, null, 1.0, null,
                            Map.of(), "meter");
                }
                byte[] m = batch.toBytes();
                out.writeInt(m.length);
                out.write(m);
                out.flush();
                assertThrows(SocketTimeoutException.class, in::readInt, "answered while Kafka is away");

                kafka.start(); // same port, same data: the producer finds it again by itself
                tcp.setSoTimeout(60_000);
                assertNull(RiemannMessage.replyError(in.readNBytes(in.readInt())));
            }
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            // received counts every decoded event, the dropped ones too
            long expected = bridge.counters().received() - bridge.counters().count(IngestCounters.Reason.MEMORY_FULL)
                    - bridge.counters().count(IngestCounters.Reason.PUBLISH_FAILED);
            while (bridge.counters().published() < expected && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(expected, bridge.counters().published(), bridge.status());
            try (EventsTopicReader topic = new EventsTopicReader(kafka.bootstrapServers(),
                    config.get(CommonKeys.EVENTS_TOPIC))) {
                List<Event> events = topic.await(e -> e.size() >= expected, Duration.ofSeconds(30));
                assertEquals(expected, events.size());
                assertTrue(events.stream().anyMatch(e -> e.service().equals("over tcp")));
                assertTrue(events.stream().anyMatch(e -> e.service().equals("before")));
            }
        } finally {
            bridge.close();
            kafka.close();
        }
    }
}
