package dev.riffle.sink;

import static dev.riffle.sink.SinkFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.CommonKeys;
import dev.riffle.testing.Points;
import dev.riffle.testing.LineListener;
import dev.riffle.testing.WithKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sink against fake line listeners on a real in-process broker: endpoints, modes, stdout, skips, commits. */
@Tag("slow")
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang fails the test instead of the build
class GraphiteSinkTest extends WithKafka {
    private static List<String> expectedLines(SinkFixture f, int paths, long t) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < paths; i++) {
            f.send("production.box" + i + ".foo.rate-per-second", i + 0.5, t);
            lines.add("production.box" + i + ".foo.rate-per-second " + (i + 0.5) + " " + t);
        }
        f.flush();
        lines.sort(null);
        return lines;
    }

    @Test
    void allModeWritesEveryPointToEveryEndpointAndPrintsEachOnce() throws Exception {
        try (LineListener a = new LineListener(); LineListener b = new LineListener();
             SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            f.with(SinkKeys.GRAPHITE, "127.0.0.1:" + a.port() + ",127.0.0.1:" + b.port())
                    .with(SinkKeys.PRINT_POINTS, true)
                    .with(SinkKeys.SELF_METRICS, false);
            GraphiteSink sink = f.startSink();
            List<String> expected = expectedLines(f, 200, SinkFixture.windowsAgo(2));
            assertEquals(expected, a.awaitLines(l -> l.size() >= 200, Duration.ofSeconds(30)).stream().sorted()
                    .toList());
            assertEquals(expected, b.awaitLines(l -> l.size() >= 200, Duration.ofSeconds(30)).stream().sorted()
                    .toList());
            assertTrue(await(() -> f.printed().lines().count() >= 200, Duration.ofSeconds(10)));
            assertEquals(expected, f.printed().lines().sorted().toList());
            // lines reach the listeners before the sink adds them to its count: wait for the count too
            assertTrue(await(() -> sink.pointsWritten() == 200, Duration.ofSeconds(10)), sink.status());
            assertTrue(sink.status().contains("graphite 2/2 connected"), sink.status());
        }
    }

    @Test
    void hashModeSplitsPathsOverEndpointsConsistently() throws Exception {
        try (LineListener a = new LineListener(); LineListener b = new LineListener();
             SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            String ea = "127.0.0.1:" + a.port();
            String eb = "127.0.0.1:" + b.port();
            f.with(SinkKeys.GRAPHITE, ea + "," + eb).with(SinkKeys.MODE, "hash").with(SinkKeys.SELF_METRICS, false);
            f.startSink();
            List<String> expected = expectedLines(f, 400, SinkFixture.windowsAgo(2));
            assertTrue(await(() -> a.lines().size() + b.lines().size() >= 400, Duration.ofSeconds(30)));
            Thread.sleep(300); // nothing more may come
            List<String> all = new ArrayList<>(a.lines());
            all.addAll(b.lines());
            all.sort(null);
            assertEquals(expected, all, "each point exactly once over both endpoints");
            assertTrue(a.lines().size() > 120 && b.lines().size() > 120, a.lines().size() + " / " + b.lines().size());
            HashRing ring = new HashRing(List.of(ea, eb));
            for (String line : a.lines()) {
                assertEquals(0, ring.owner(line.substring(0, line.indexOf(' '))), line);
            }
        }
    }

    @Test
    void badPointsAreCountedAndSkippedWithoutLosingTheGoodOnesAround() throws Exception {
        try (LineListener carbon = new LineListener(); SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            f.with(SinkKeys.GRAPHITE, "127.0.0.1:" + carbon.port()).with(SinkKeys.SELF_METRICS, false);
            GraphiteSink sink = f.startSink();
            long t = SinkFixture.windowsAgo(3);
            f.send("a.first", 1.0, t);
            f.send("a.nan", Double.NaN, t);
            f.send("a.inf", Double.POSITIVE_INFINITY, t);
            f.send("...", 1.0, t);
            f.sendRaw("a.garbage", "not a point".getBytes(StandardCharsets.US_ASCII));
            f.sendRaw("a.old", Points.oldFormat(1.0, t)); // the format before batches: refused, counted
            byte[] future = Points.record("a.future", 1.0, t);
            future[0] = 9; // a points format version this Riffle does not know
            f.sendRaw("lane-1", future);
            f.send("box 1.disk /var.used", 1e-7, t);
            f.send("a.last", 1e21, t);
            f.flush();
            List<String> lines = carbon.awaitLines(l -> l.size() >= 3, Duration.ofSeconds(30));
            assertEquals(Set.of("a.first 1.0 " + t, "box_1.disk__var.used 0.0000001 " + t,
                    "a.last 1000000000000000000000.0 " + t), new HashSet<>(lines));
            assertTrue(await(() -> sink.pointsSkipped() == 6, Duration.ofSeconds(10)), sink.status());
            assertTrue(sink.status().contains("malformed 2, old-format 1, not-finite 2, bad-path 1"), sink.status());
        }
    }

    @Test
    void offsetsAreCommittedAfterTheWriteSoARestartResumesWithoutRepeats() throws Exception {
        try (LineListener carbon = new LineListener(); SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            f.with(SinkKeys.GRAPHITE, "127.0.0.1:" + carbon.port()).with(SinkKeys.SELF_METRICS, false);
            GraphiteSink first = f.startSink();
            long t = SinkFixture.windowsAgo(2);
            expectedLines(f, 50, t);
            carbon.awaitLines(l -> l.size() >= 50, Duration.ofSeconds(30));
            first.close(); // commits what it wrote once confirmed
            f.send("after.restart", 7.0, t);
            f.flush();
            GraphiteSink second = f.startSink();
            List<String> lines = carbon.awaitLines(l -> l.size() >= 51, Duration.ofSeconds(30));
            Thread.sleep(500);
            assertEquals(51, carbon.lines().size(), "the second sink starts after the first one's commit");
            assertEquals("after.restart 7.0 " + t, lines.get(50));
            assertEquals(1, second.pointsWritten());
        }
    }

    @Test
    void pointsWrittenInTransactionsEndWithNoLagAtAll() throws Exception {
        try (LineListener carbon = new LineListener(); SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            f.with(SinkKeys.GRAPHITE, "127.0.0.1:" + carbon.port()).with(SinkKeys.SELF_METRICS, false);
            String topic = f.config().get(CommonKeys.POINTS_TOPIC);
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "points-" + topic);
            long t = SinkFixture.windowsAgo(2);
            try (KafkaProducer<String, byte[]> tx = new KafkaProducer<>(p, new StringSerializer(),
                    new ByteArraySerializer())) {
                tx.initTransactions();
                for (int i = 0; i < 3; i++) { // like the topology: each transaction ends in a marker
                    tx.beginTransaction();
                    tx.send(new ProducerRecord<>(topic, 0, "tx.path" + i, Points.record("tx.path" + i, i, t)));
                    tx.commitTransaction();
                }
            }
            GraphiteSink sink = f.startSink().lagEvery(SinkFixture.LAG_EVERY);
            assertEquals(3, carbon.awaitLines(l -> l.size() >= 3, Duration.ofSeconds(30)).size());
            assertTrue(await(() -> sink.lag() == 0, Duration.ofSeconds(15)), sink.status());
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                TopicPartition p0 = new TopicPartition(topic, 0);
                assertTrue(await(() -> committed(admin, f, p0) == 6, Duration.ofSeconds(10)),
                        "3 records and 3 markers: the commit reaches the end, so Kafka's lag tools show 0");
            }
        }
    }

    @Test
    void lagIsZeroOnceEverythingIsWrittenEvenWhileItsCommitWaits() throws Exception {
        try (LineListener carbon = new LineListener(); SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            // a commit delay far longer than the test up to its check (under a second, with the lag measured every
            // 100 ms): what is written stays uncommitted throughout. Not longer: closing the sink waits it out
            // (at most 15 s, then the sink's thread would go on waiting behind the tests that follow)
            f.with(SinkKeys.GRAPHITE, "127.0.0.1:" + carbon.port()).with(SinkKeys.SELF_METRICS, false)
                    .with(SinkKeys.COMMIT_DELAY_MS, 10_000);
            GraphiteSink sink = f.startSink().lagEvery(SinkFixture.LAG_EVERY);
            List<String> expected = expectedLines(f, 50, SinkFixture.windowsAgo(2));
            assertEquals(expected.size(), carbon.awaitLines(l -> l.size() >= 50, Duration.ofSeconds(30)).size());
            assertTrue(await(() -> sink.lag() == 0, Duration.ofSeconds(15)), "caught up, yet " + sink.status());
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                String topic = f.config().get(CommonKeys.POINTS_TOPIC);
                long committed = 0;
                for (int p = 0; p < 3; p++) {
                    committed += Math.max(0, committed(admin, f, new TopicPartition(topic, p)));
                }
                assertEquals(0, committed, "the commit must still be waiting, else this test proves nothing");
            }
        }
    }

    private static long committed(Admin admin, SinkFixture f, TopicPartition tp) {
        try {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(f.config().get(SinkKeys.GROUP_ID))
                    .partitionsToOffsetAndMetadata().get().get(tp);
            return o == null ? -1 : o.offset();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
