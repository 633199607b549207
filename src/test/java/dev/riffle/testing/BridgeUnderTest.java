package dev.riffle.testing;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigKey;
import dev.riffle.core.Event;
import dev.riffle.core.EventCodec;
import dev.riffle.ingest.Bridge;
import dev.riffle.ingest.IngestKeys;
import dev.riffle.kafka.EmbeddedKafka;
import dev.riffle.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A real bridge on a real in-process broker, on free loopback ports, and a consumer of the events topic: what an
 * application's events look like once Riffle has them.
 */
public final class BridgeUnderTest implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final Bridge bridge;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Event> events = new ArrayList<>();

    public BridgeUnderTest(Path dir) throws Exception {
        this(dir, Map.of());
    }

    /** With settings as environment variables, e.g. {@code RIFFLE_INGEST_TCP_IDLE_TIMEOUT_MS}. */
    public BridgeUnderTest(Path dir, Map<String, String> settings) throws Exception {
        List<ConfigKey<?>> keys = new ArrayList<>(CommonKeys.ALL);
        keys.addAll(IngestKeys.ALL);
        Map<String, String> env = new java.util.HashMap<>(settings);
        env.putAll(Map.of("RIFFLE_DATA_DIR", dir.toString(), "RIFFLE_RIEMANN_PORT", "0",
                "RIFFLE_STATSD_PORT", "0", "RIFFLE_JSON_PORT", "0"));
        Config config = Config.load(null, env, keys);
        kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
        try {
            Topics.ensure(kafka.bootstrapServers(), config, Duration.ofSeconds(60));
            bridge = new Bridge(config, kafka.bootstrapServers());
            bridge.start();
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(config.get(CommonKeys.EVENTS_TOPIC)));
        } catch (Exception | Error e) {
            kafka.close();
            throw e;
        }
    }

    public int riemannPort() {
        return bridge.riemannPort();
    }

    /** Reads the events topic until {@code done} holds for all events read so far, or the timeout passes. */
    public List<Event> awaitEvents(Predicate<List<Event>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(events) && System.nanoTime() - deadline < 0) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                events.addAll(EventCodec.decode(r.value()));
            }
        }
        return List.copyOf(events);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
        bridge.close();
        kafka.close();
    }
}
