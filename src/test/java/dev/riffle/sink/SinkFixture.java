package dev.riffle.sink;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigKey;
import dev.riffle.testing.Points;
import dev.riffle.kafka.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** What the sink tests share: a config on its own points topic and group, a producer of points, waiting. */
final class SinkFixture implements AutoCloseable {
    private static final AtomicInteger NEXT = new AtomicInteger();
    /**
     * For tests that wait for the sink's lag to reach 0: measured this often rather than once a 5 s window (not for
     * tests that stop Kafka, where each measurement would wait for the broker).
     */
    static final Duration LAG_EVERY = Duration.ofMillis(100);

    final String bootstrap;
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final KafkaProducer<String, byte[]> producer;
    private Config config;
    private final List<GraphiteSink> sinks = new ArrayList<>();

    SinkFixture(String bootstrap) {
        this.bootstrap = bootstrap;
        List<ConfigKey<?>> keys = new ArrayList<>(CommonKeys.ALL);
        keys.addAll(SinkKeys.ALL);
        int n = NEXT.incrementAndGet();
        config = Config.defaults(keys)
                .with(CommonKeys.POINTS_TOPIC, "points-" + n)
                .with(CommonKeys.POINTS_PARTITIONS, 3)
                .with(SinkKeys.GROUP_ID, "sink-" + n)
                .with(SinkKeys.INSTANCE, "test")
                .with(SinkKeys.FLUSH_MS, 20)
                .with(SinkKeys.COMMIT_DELAY_MS, 500);
        Topics.ensure(bootstrap, config, Duration.ofSeconds(30));
        awaitLeaders(config.get(CommonKeys.POINTS_TOPIC));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // seen once under load: batches to a just-created topic met NOT_LEADER, and the idempotent producer then
        // retried OUT_OF_ORDER_SEQUENCE without end; one request at a time keeps order without sequence numbers
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        producer = new KafkaProducer<>(p);
    }

    /** A new topic's partitions get their leader a moment after creation: wait for it (at most 30 s). */
    private void awaitLeaders(String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Topics.awaitLeaders(admin, List.of(topic), Duration.ofSeconds(30));
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("no leaders for " + topic, e);
        }
    }

    SinkFixture with(ConfigKey<?> key, Object value) {
        config = config.with(key, value);
        return this;
    }

    Config config() {
        return config;
    }

    GraphiteSink startSink() {
        return startSink(List.of());
    }

    GraphiteSink startSink(List<dev.riffle.core.PointTarget> targets) {
        GraphiteSink sink = new GraphiteSink(config, bootstrap, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                targets);
        sink.start();
        sinks.add(sink);
        return sink;
    }

    void send(String path, double value, long seconds) {
        producer.send(new ProducerRecord<>(config.get(CommonKeys.POINTS_TOPIC), path,
                Points.record(path, value, seconds)));
    }

    void sendRaw(String key, byte[] value) {
        producer.send(new ProducerRecord<>(config.get(CommonKeys.POINTS_TOPIC), key, value));
    }

    void flush() {
        producer.flush();
    }

    String printed() {
        synchronized (stdout) {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    /** Waits until the condition holds; false when the timeout passed first. */
    static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** A window start (multiple of 5 s) {@code windowsAgo} windows before now: inside carbon's 1-day archive. */
    static long windowsAgo(int windowsAgo) {
        return (System.currentTimeMillis() / 1000 / 5 - windowsAgo) * 5;
    }

    @Override
    public void close() {
        sinks.forEach(GraphiteSink::close);
        producer.close(Duration.ofSeconds(5));
    }
}
