package dev.riffle.topology;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigKey;
import dev.riffle.core.Event;
import dev.riffle.core.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** The real topology under TopologyTestDriver: events in, Graphite-style lines out. */
final class Harness implements AutoCloseable {
    static final List<ConfigKey<?>> KEYS = new ArrayList<>();

    static {
        KEYS.addAll(CommonKeys.ALL);
        KEYS.addAll(TopologyKeys.ALL);
    }

    static final long T0 = 1_700_000_000_000L; // a window start: divisible by 5000

    final TopologyCounters counters = new TopologyCounters();
    final TopologyTestDriver driver;
    private final TestInputTopic<String, byte[]> events;
    private final TestOutputTopic<String, byte[]> points;

    Harness() {
        this(Config.defaults(KEYS));
    }

    Harness(Config config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(RiffleTopology.build(config, counters), p, Instant.ofEpochMilli(T0));
        events = driver.createInputTopic("riffle-events", new StringSerializer(), new ByteArraySerializer());
        points = driver.createOutputTopic("riffle-points", new StringDeserializer(), new ByteArrayDeserializer());
    }

    static Config config(ConfigKey<?> key, Object value) {
        return Config.defaults(KEYS).with(key, value);
    }

    void send(long timeMs, String host, String service, Double metric, String... tags) {
        send(Event.of(timeMs * 1000, host, service, List.of(tags), metric));
    }

    void send(Event e) {
        events.pipeInput(e.host(), EventCodec.encode(List.of(e)), e.timeMillis());
    }

    /** One record holding several events of one host (as the bridge batches them). */
    void sendBatch(List<Event> batch) {
        events.pipeInput(batch.get(0).host(), EventCodec.encode(batch), batch.get(0).timeMillis());
    }

    /** Events of one host as the bridge writes them: with the time it received them. */
    void sendArrived(long arrivalMs, List<Event> batch) {
        events.pipeInput(batch.get(0).host(), EventCodec.encode(batch, arrivalMs * 1000), arrivalMs);
    }

    /** Bridge {@code b1}'s tick: everything it received before {@code timeMs} is in the topic. */
    void tick(long timeMs) {
        tick("b1", timeMs, false);
    }

    void tick(String bridge, long timeMs, boolean bye) {
        events.pipeInput(bridge, EventCodec.encodeTick(new EventCodec.Tick(bridge, timeMs * 1000, 1, bye)), timeMs);
    }

    /** Moves the wall clock on (nothing in the topology should notice). */
    void idle(Duration d) {
        driver.advanceWallClockTime(d);
    }

    /** Every point emitted since the last call, as {@code path value seconds}, in emission order. */
    List<String> lines() {
        List<String> out = new ArrayList<>();
        points.readKeyValuesToList().forEach(kv -> out.addAll(dev.riffle.testing.Points.lines(kv.value)));
        return out;
    }

    /** Every points record written since the last call (batches and clock records), as written. */
    List<org.apache.kafka.streams.KeyValue<String, byte[]>> records() {
        return points.readKeyValuesToList();
    }

    /** The lines of paths starting with {@code prefix}. */
    static List<String> only(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).toList();
    }

    static String line(String path, double value, long timeMs) {
        return path + " " + value + " " + timeMs / 1000;
    }

    @Override
    public void close() {
        driver.close();
    }
}
