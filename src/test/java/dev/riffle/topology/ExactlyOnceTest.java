package dev.riffle.topology;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.core.Event;
import dev.riffle.core.EventCodec;
import dev.riffle.kafka.Topics;
import dev.riffle.testing.WithKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * On a real broker, with exactly-once: the points equal the oracle's whether the events topic has 1 or 3
 * partitions (so tasks, their clocks and the fleet merge), and when the stream app is closed mid-stream or
 * killed (another JVM, SIGKILL) and another instance takes over from the changelog.
 *
 * <p>TopologyTestDriver runs one task per sub-topology, so it cannot show partitioning effects; a real broker
 * can. All events are in the topic before the app starts, so no task falls idle (and closes windows by the
 * wall clock) until the data is done; then one far-future event per partition closes every window, and the
 * points before it are compared.
 */
@Tag("slow")
class ExactlyOnceTest extends WithKafka {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ExactlyOnceTest.class);
    static final long GRACE = 5_000;
    /**
     * Event times near now: the broker rolls and deletes log segments by record time, so points stamped years
     * ago would be deleted from the points topic before they are read.
     */
    static final long T0 = (System.currentTimeMillis() / 5_000 - 60) * 5_000;
    /** later than every event's expiry, and within the broker's accepted future timestamps */
    static final long SENTINEL = T0 + 1_200_000;

    /** One run's topics, application id and config. */
    static final class Run {
        final String id = "t" + UUID.randomUUID().toString().substring(0, 8);
        final int partitions;
        final Map<String, String> env = new HashMap<>();
        final Config config;

        Run(int partitions) {
            this.partitions = partitions;
            env.put("RIFFLE_TOPICS_EVENTS", id + "-events");
            env.put("RIFFLE_TOPICS_POINTS", id + "-points");
            env.put("RIFFLE_TOPOLOGY_APPLICATION_ID", id);
            env.put("RIFFLE_TOPOLOGY_GRACE_MS", Long.toString(GRACE));
            env.put("RIFFLE_TOPOLOGY_COMMIT_INTERVAL_MS", "100"); // frequent commits: a kill lands mid-stream
            // windows closed in many small slices, each committed: a kill lands in the middle of a window's close
            env.put("RIFFLE_TOPOLOGY_CLOSE_SLICE_POINTS", "25");
            // tasks reach the far-future sentinel at different times; the fleet must wait for the slowest
            env.put("RIFFLE_TOPOLOGY_FLEET_LATENESS_MS", Long.toString(2 * (SENTINEL - T0)));
            config = Config.load(null, env, Harness.KEYS);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(events(), partitions, (short) 1),
                        new NewTopic(points(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                Topics.awaitLeaders(admin, List.of(events(), points()), Duration.ofSeconds(30));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        String events() {
            return config.get(CommonKeys.EVENTS_TOPIC);
        }

        String points() {
            return config.get(CommonKeys.POINTS_TOPIC);
        }

        StreamsApp app(String stateDir) {
            return new StreamsApp(config, kafka.bootstrapServers(),
                    StreamsProcess.overrides(dir.resolve(stateDir).toString()));
        }

        void produce(List<List<Event>> records) {
            try (KafkaProducer<String, byte[]> p = producer()) {
                List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
                for (List<Event> batch : records) {
                    sent.add(p.send(new ProducerRecord<>(events(), batch.get(0).host(), EventCodec.encode(batch))));
                }
                for (java.util.concurrent.Future<?> f : sent) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                throw new IllegalStateException("producing the test events failed", e);
            }
        }

        /**
         * In order without idempotence: on a freshly created topic the idempotent producer's retried first
         * batch was refused here as out of sequence, and the events after it were lost.
         */
        KafkaProducer<String, byte[]> producer() {
            return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                    ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1),
                    new StringSerializer(), new ByteArraySerializer());
        }

        /** One far-future event in every partition: every window before it closes. */
        void closeEverything() {
            try (KafkaProducer<String, byte[]> p = producer()) {
                for (int partition = 0; partition < partitions; partition++) {
                    Event e = Event.of(SENTINEL * 1000, "sentinel" + partition, "end", List.of(), null);
                    p.send(new ProducerRecord<>(events(), partition, e.host(), EventCodec.encode(List.of(e))))
                            .get(30, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                throw new IllegalStateException("producing the sentinels failed", e);
            }
        }
    }

    /** Reads committed points (as a read_committed sink would) and compares them with the oracle's. */
    static final class Points implements AutoCloseable {
        final KafkaConsumer<String, byte[]> consumer;
        final List<String> lines = new ArrayList<>();

        Points(Run run) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
            TopicPartition tp = new TopicPartition(run.points(), 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
        }

        void poll() {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                for (String line : dev.riffle.testing.Points.lines(r.value())) {
                    long seconds = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
                    if (seconds * 1000 < Math.floorDiv(SENTINEL, 5000) * 5000) {
                        lines.add(line);
                    }
                }
            }
        }

        boolean awaitUntil(BooleanSupplier done, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                poll();
                if (done.getAsBoolean()) {
                    return true;
                }
            }
            return false;
        }

        /** Waits for the oracle's points, then a little longer for anything extra, and compares. */
        void assertOracle(Map<String, Double> expected) {
            awaitUntil(() -> matches(expected), Duration.ofSeconds(60));
            awaitUntil(() -> false, Duration.ofSeconds(2));
            EventSets.assertWrittenOnce(lines, true);
            EventSets.assertSamePoints(expected, EventSets.asCarbon(lines));
        }

        private boolean matches(Map<String, Double> expected) {
            try {
                EventSets.assertSamePoints(expected, EventSets.asCarbon(lines));
                return true;
            } catch (AssertionError e) {
                return false;
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    static List<List<Event>> events(long seed) {
        return EventSets.random(seed, T0, 2500, 40, 8, 120_000, 1_000);
    }

    @Test
    void sameInputOverOneAndThreePartitionsGivesTheOraclesPoints() {
        List<List<Event>> records = events(11);
        Map<String, Double> expected = new Oracle(60_000).points(EventSets.flat(records));
        for (int partitions : new int[] {1, 3}) {
            Run run = new Run(partitions);
            run.produce(records);
            run.closeEverything();
            StreamsApp app = run.app("one-vs-three-" + partitions);
            try (Points points = new Points(run)) {
                app.start();
                try {
                    points.assertOracle(expected);
                } finally {
                    log.info("{} partitions: {}, fleet late {}", partitions, app.status(), app.counters().fleetLate());
                }
            } finally {
                app.close();
            }
        }
    }

    @Test
    void closedAndRestartedMidStreamGivesTheOraclesPoints() {
        List<List<Event>> records = events(12);
        Run run = new Run(3);
        run.produce(records);
        try (Points points = new Points(run)) {
            StreamsApp first = run.app("restart-first");
            first.start();
            long third = EventSets.flat(records).size() / 3;
            boolean some = points.awaitUntil(() -> first.counters().eventsProcessed() >= third, Duration.ofSeconds(60));
            first.close();
            log.info("first instance closed after {} of {} events", first.counters().eventsProcessed(),
                    EventSets.flat(records).size());
            assertTrue(some, "the first instance processed events");
            takeOver(run, records, points, "restart-second");
        }
    }

    /** A second instance with an empty state dir restores from the changelog and finishes the work. */
    static void takeOver(Run run, List<List<Event>> records, Points points, String stateDir) {
        StreamsApp second = run.app(stateDir);
        try {
            second.start();
            run.closeEverything();
            points.assertOracle(new Oracle(60_000).points(EventSets.flat(records)));
        } finally {
            second.close();
        }
    }

    @Test
    void killedWithoutCloseGivesTheOraclesPoints() throws Exception {
        List<List<Event>> records = events(13);
        Run run = new Run(3);
        run.produce(records);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), StreamsProcess.class.getName(),
                kafka.bootstrapServers(), dir.resolve("killed-first").toString());
        pb.environment().putAll(run.env);
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("killed-first.log").toFile());
        Process child = pb.start();
        try (Points points = new Points(run)) {
            boolean some;
            try {
                some = points.awaitUntil(() -> points.lines.size() > 200, Duration.ofSeconds(90));
            } finally {
                child.destroyForcibly(); // SIGKILL: no close, no commit
                child.waitFor(30, TimeUnit.SECONDS);
            }
            assertTrue(some, "the killed instance emitted points first; its log: " + dir.resolve("killed-first.log"));
            log.info("killed the first instance after {} committed points", points.lines.size());
            takeOver(run, records, points, "killed-second");
        }
    }

}
