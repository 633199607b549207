package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.core.Event;
import dev.riffle.core.EventCodec;
import dev.riffle.ingest.Bridge;
import dev.riffle.kafka.EmbeddedKafka;
import dev.riffle.sink.GraphiteSink;
import dev.riffle.testing.LineListener;
import dev.riffle.topology.StreamsApp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, statsd spread, on a real in-process broker: statsd lines without a host tag all have the bridge's statsd
 * host, yet their buckets land in several partitions of the events topic (each bucket in one), and the points are
 * exactly those of one host: per host and all-hosts, merged with the same buckets of hosts that are not spread, and
 * with a record written the old way (keyed by the host, partitioned by the key), which is still read.
 */
@Tag("slow")
class StatsdSpreadTest {
    private static final int BUCKETS = 40;
    private static final String RATE = ".rate-per-second";

    @TempDir
    Path dir;

    @Test
    void hostlessStatsdBucketsSpreadOverPartitionsWithExactPoints() throws Exception {
        try (LineListener carbon = new LineListener();
             EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start()) {
            Map<String, String> env = EndToEndTest.exactEnv(dir, carbon);
            env.put("RIFFLE_INGEST_STATSD_HOST", "statsbox");
            env.put("RIFFLE_INGEST_STATSD_ENVIRONMENT", "production");
            Config config = Config.load(null, env, Settings.ALL_KEYS);
            Bridge bridge = new Bridge(config, kafka.bootstrapServers());
            try (Pipeline pipeline = new Pipeline(config.with(CommonKeys.KAFKA_BOOTSTRAP,
                    kafka.bootstrapServers()))) {
                pipeline.connect(false);
                pipeline.start(b -> new GraphiteSink(config, b, new PrintStream(new ByteArrayOutputStream())))
                        .start(b -> new StreamsApp(config, b, Map.of(StreamsConfig.STATE_DIR_CONFIG,
                                dir.resolve("streams").toString())))
                        .start(b -> bridge);

                // early enough in a window that every event arrives well before it closes (at most 2 s of waiting)
                while (System.currentTimeMillis() % 5_000 > 3_000) {
                    Thread.sleep(50);
                }
                long nowSeconds = System.currentTimeMillis() / 1000;
                long window = nowSeconds / 5 * 5;
                // a record as the bridge wrote them before the spread: keyed by the host, partitioned by the key
                try (KafkaProducer<String, byte[]> old = producer(kafka.bootstrapServers())) {
                    old.send(new ProducerRecord<>(config.get(CommonKeys.EVENTS_TOPIC), "statsbox",
                            EventCodec.encode(List.of(Event.of(nowSeconds * 1_000_000, "statsbox", "old",
                                    List.of("meter", "production"), 1.0)), nowSeconds * 1_000_000))).get();
                }
                // bucket i: i % 5 + 1 lines without a host, and 2 lines of host web1 for the even buckets
                Map<String, Double> expected = new TreeMap<>();
                int sent = 0;
                try (DatagramSocket udp = new DatagramSocket()) {
                    for (int i = 0; i < BUCKETS; i++) {
                        int hostless = i % 5 + 1;
                        StringBuilder lines = new StringBuilder();
                        for (int n = 0; n < hostless; n++) {
                            lines.append("b").append(i).append(":1|c|T").append(nowSeconds).append('\n');
                        }
                        int web1 = i % 2 == 0 ? 2 : 0;
                        for (int n = 0; n < web1; n++) {
                            lines.append("b").append(i).append(":1|c|#host:web1|T").append(nowSeconds).append('\n');
                        }
                        sent += hostless + web1;
                        byte[] datagram = lines.toString().getBytes(StandardCharsets.UTF_8);
                        udp.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(),
                                bridge.statsdPort()));
                        expected.put("production.statsbox.b" + i + RATE, hostless / 5.0);
                        if (web1 > 0) {
                            expected.put("production.web1.b" + i + RATE, web1 / 5.0);
                        }
                        expected.put("production.all-hosts.b" + i + RATE, (hostless + web1) / 5.0);
                    }
                }
                expected.put("production.statsbox.old" + RATE, 1 / 5.0);
                expected.put("production.all-hosts.old" + RATE, 1 / 5.0);

                List<String> lines = carbon.awaitLines(l -> pointsOf(l, window).keySet()
                        .containsAll(expected.keySet()), Duration.ofSeconds(90));
                Map<String, List<Double>> points = pointsOf(lines, window);
                // exact: every series of the window has one point (no second one from another task), of that value
                expected.forEach((path, value) -> {
                    assertEquals(1, points.getOrDefault(path, List.of()).size(), path + ": " + points.get(path));
                    assertEquals(value, points.get(path).get(0), 1e-9, path);
                });

                Map<String, Set<Integer>> partitions = partitionsByBucket(kafka.bootstrapServers(),
                        config.get(CommonKeys.EVENTS_TOPIC), sent + 1);
                Set<Integer> statsbox = new HashSet<>();
                partitions.forEach((hostAndBucket, ps) -> {
                    assertEquals(1, ps.size(), hostAndBucket + " in partitions " + ps);
                    if (hostAndBucket.startsWith("statsbox\tb")) {
                        statsbox.addAll(ps);
                    }
                });
                assertEquals(BUCKETS + BUCKETS / 2 + 1, partitions.size(), partitions.toString());
                assertTrue(statsbox.size() >= 4, "the statsd host's buckets sit in partitions " + statsbox);
            }
        }
    }

    /** The points of one window (seconds) by path, from Graphite plaintext lines. */
    private static Map<String, List<Double>> pointsOf(List<String> lines, long window) {
        Map<String, List<Double>> out = new TreeMap<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length == 3 && f[2].equals(Long.toString(window))) {
                out.computeIfAbsent(f[0], k -> new ArrayList<>()).add(Double.parseDouble(f[1]));
            }
        }
        return out;
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** host TAB service -> the partitions its events are in, reading the events topic until {@code events} came. */
    private static Map<String, Set<Integer>> partitionsByBucket(String bootstrap, String topic, int events) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Map<String, Set<Integer>> out = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> all = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(all);
            consumer.seekToBeginning(all);
            int seen = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen < events && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    for (Event e : EventCodec.decode(r.value())) {
                        assertEquals(e.host(), r.key(), "the record key is still the host");
                        out.computeIfAbsent(e.host() + "\t" + e.service(), k -> new HashSet<>()).add(r.partition());
                        seen++;
                    }
                }
            }
            assertEquals(events, seen, "events read back from " + topic);
        }
        return out;
    }
}
