package dev.riffle.sink;

import static dev.riffle.sink.SinkFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.CommonKeys;
import dev.riffle.core.GraphiteNames;
import dev.riffle.core.Point;
import dev.riffle.core.PointTarget;
import dev.riffle.core.PointsCodec;
import dev.riffle.core.SeriesId;
import dev.riffle.core.SeriesLanes;
import dev.riffle.core.SinkFigures;
import dev.riffle.kafka.EmbeddedKafka;
import dev.riffle.testing.LineListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink's own figures take the route of every point: the points topic, from where carbon and every other reader
 * get them, with exact counts; a Kafka outage neither blocks the sink nor loses figures within the producer's bound,
 * and past it they are dropped and counted. A broker of its own, since two tests stop it.
 */
@Tag("slow")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class SinkSelfRouteTest {
    private static final String SELF = "riffle.sink.test.";
    private static final String WRITTEN = SELF + "points-written";

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    /** An at-most-once target besides carbon: what it is handed, per Graphite line, and how often. */
    private static final class Counting implements PointTarget {
        final Map<String, Integer> seen = new HashMap<>();

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public synchronized boolean accept(SeriesId series, Point point) {
            seen.merge(PlaintextLine.of(GraphiteNames.of(series), point).strip(), 1, Integer::sum);
            return true;
        }

        synchronized Map<String, Integer> seen(String prefix) {
            Map<String, Integer> out = new TreeMap<>();
            seen.forEach((line, n) -> {
                if (line.startsWith(prefix)) {
                    out.put(line, n);
                }
            });
            return out;
        }
    }

    private static List<String> starting(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).toList();
    }

    private static long time(String line) {
        return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static long value(String line) {
        String[] f = line.split(" ");
        return (long) Double.parseDouble(f[1]);
    }

    /** The windows (start, s) of the sink's points-written figure carbon got, in order. */
    private static TreeSet<Long> windows(List<String> lines) {
        TreeSet<Long> out = new TreeSet<>();
        starting(lines, WRITTEN + " ").forEach(l -> out.add(time(l)));
        return out;
    }

    private static void assertContiguous(TreeSet<Long> windows) {
        long expected = windows.first();
        for (long w : windows) {
            assertEquals(expected, w, "a window of the sink's figures is missing: " + windows);
            expected += SelfMetrics.WINDOW_SECONDS;
        }
    }

    @Test
    void theFiguresGoThroughTheTopicToCarbonAndEveryOtherReaderWithExactCounts() throws Exception {
        Counting other = new Counting();
        try (LineListener carbon = new LineListener(); SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            f.with(SinkKeys.GRAPHITE, "127.0.0.1:" + carbon.port()).with(SinkKeys.SELF_METRICS, true);
            GraphiteSink sink = f.startSink(List.of(other));
            long t = SinkFixture.windowsAgo(3);
            for (int i = 0; i < 100; i++) {
                f.send("production.box" + i + ".requests.rate-per-second", i, t);
            }
            f.flush();
            assertTrue(await(() -> starting(carbon.lines(), "production.").size() == 100, Duration.ofSeconds(30)),
                    sink.status());
            int windowsThen = windows(carbon.lines()).size();
            // two more windows of figures, read back from the topic: the application points lie behind them
            assertTrue(await(() -> windows(carbon.lines()).size() >= windowsThen + 2, Duration.ofSeconds(30)),
                    carbon.lines().toString());
            sink.close();
            long written = sink.pointsWritten();
            List<String> lines = carbon.awaitLines(l -> l.size() >= written, Duration.ofSeconds(10));

            // carbon got every line the sink counted once (no outage: nothing twice)
            assertEquals(written, lines.size(), lines.toString());
            TreeSet<Long> windows = windows(lines);
            assertContiguous(windows);
            // points-written is exact: its windows add up to what the sink wrote until it closed the newest one;
            // after that it wrote only figures of that window (or later ones), read back from the topic
            long sum = starting(lines, WRITTEN + " ").stream().mapToLong(SinkSelfRouteTest::value).sum();
            long newest = windows.last();
            long after = starting(lines, SELF).stream().filter(l -> time(l) >= newest).count();
            assertEquals(lines.size(), sum + after, "figures " + starting(lines, WRITTEN + " ") + "\nall " + lines);
            assertTrue(starting(lines, WRITTEN + " ").stream().anyMatch(l -> value(l) >= 100), lines.toString());

            // the other target read the same figures from the topic, each once
            Map<String, Integer> selfInCarbon = new TreeMap<>();
            starting(lines, SELF).forEach(l -> selfInCarbon.merge(l, 1, Integer::sum));
            assertEquals(selfInCarbon, other.seen(SELF));

            // on the topic: records of the points format, keyed by lane, in the lane's partition, as every writer's
            List<ConsumerRecord<String, byte[]>> records = readAll(f.config().get(CommonKeys.POINTS_TOPIC));
            int onTopic = 0;
            for (ConsumerRecord<String, byte[]> r : records) {
                for (PointsCodec.SeriesPoint p : PointsCodec.decode(r.value()).points()) {
                    if (SinkFigures.is(p.id(), "riffle")) {
                        onTopic++;
                        int lane = SeriesLanes.laneOf(p.id());
                        assertEquals(SeriesLanes.key(lane), r.key());
                        assertEquals(SeriesLanes.partition(lane, 3), r.partition());
                        assertTrue(p.id().fleet());
                    }
                }
            }
            assertEquals(sink.selfWritten(), onTopic);
            assertEquals(0, sink.selfDropped());
            assertEquals(onTopic, selfInCarbon.size(), "every figure on the topic reached carbon");
        }
    }

    @Test
    void aKafkaOutageNeitherBlocksTheSinkNorLosesFiguresWithinTheBound() throws Exception {
        try (LineListener carbon = new LineListener(); SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            f.with(SinkKeys.GRAPHITE, "127.0.0.1:" + carbon.port()).with(SinkKeys.SELF_METRICS, true);
            GraphiteSink sink = f.startSink();
            assertTrue(await(() -> !windows(carbon.lines()).isEmpty(), Duration.ofSeconds(30)), sink.status());
            // past the commit of the figures just read back (500 ms after they were written): a commit that meets
            // the outage holds the sink's thread for its 10 s timeout (the consumer's, not the figures'), and the
            // window it spans is then one longer window
            Thread.sleep(2_000);
            long stoppedAt = System.currentTimeMillis() / 1000;
            kafka.close();
            long restartedAt;
            try {
                // 11 s: the outage spans two of the sink's windows and more
                long until = System.nanoTime() + 11_000_000_000L;
                while (System.nanoTime() < until) {
                    assertTrue(sink.running(), sink.status());
                    Thread.sleep(200);
                }
            } finally {
                kafka.start(); // same port, same data
                restartedAt = System.currentTimeMillis() / 1000;
            }
            // the figures the sink made during the outage were held by its producer (within the minute it keeps
            // them) and come through once Kafka is back: one window after another, none dropped
            assertTrue(await(() -> windows(carbon.lines()).last() >= restartedAt + 5, Duration.ofSeconds(60)),
                    sink.status() + " " + windows(carbon.lines()));
            TreeSet<Long> windows = windows(carbon.lines());
            assertContiguous(windows);
            assertTrue(windows.first() < stoppedAt && windows.last() > restartedAt, windows.toString());
            assertEquals(0, sink.selfDropped(), sink.status());
            assertTrue(sink.running(), sink.status());
        } finally {
            if (!kafkaUp()) {
                kafka.start();
            }
        }
    }

    @Test
    void pastTheBoundFiguresAreDroppedAndCountedAndNeverWaitedFor() throws Exception {
        try (SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            String topic = f.config().get(CommonKeys.POINTS_TOPIC);
            SelfMetrics self = new SelfMetrics("riffle", "bound");
            long now = System.currentTimeMillis();
            self.close(now, new SelfMetrics.Figures(0, 0, 0, 1, 0));
            List<PointsCodec.SeriesPoint> window = self.close(now + 5_000, new SelfMetrics.Figures(7, 0, 0, 1, 0));
            assertEquals(5, window.size());

            // a Kafka never reached: each send fails at once (no metadata, and max.block.ms is 0)
            try (SelfPublisher none = new SelfPublisher(f.config(), "127.0.0.1:" + freePort(), topic, "none",
                    4_000)) {
                long start = System.nanoTime();
                none.publish(window);
                assertTrue(System.nanoTime() - start < 500_000_000L, "publish waited");
                assertEquals(5, none.dropped());
                assertEquals(0, none.written());
            }

            try (SelfPublisher pub = new SelfPublisher(f.config(), kafka.bootstrapServers(), topic, "bound", 4_000)) {
                assertTrue(await(() -> {
                    boolean settled = pub.written() + pub.dropped() == pub.offered();
                    if (settled && pub.written() == 0) {
                        pub.publish(window); // the first may find no metadata yet: dropped and counted
                    }
                    return settled && pub.written() > 0;
                }, Duration.ofSeconds(20)));
                assertEquals(5, pub.written());
                long droppedBefore = pub.dropped();
                kafka.close();
                try {
                    long slowest = 0;
                    for (int i = 0; i < 4; i++) {
                        long start = System.nanoTime();
                        pub.publish(window);
                        slowest = Math.max(slowest, System.nanoTime() - start);
                    }
                    assertTrue(slowest < 500_000_000L, "publish waited " + slowest / 1_000_000 + " ms");
                    // past the delivery timeout (4 s here, a minute in the sink) Kafka's producer gives them up
                    assertTrue(await(() -> pub.dropped() == droppedBefore + 20, Duration.ofSeconds(30)),
                            "dropped " + pub.dropped() + " of " + pub.offered() + ", written " + pub.written());
                    assertEquals(5, pub.written());
                } finally {
                    kafka.start();
                }
            }
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean kafkaUp() {
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), kafka.port())) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
