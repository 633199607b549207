package dev.riffle.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigKey;
import dev.riffle.core.Event;
import dev.riffle.core.EventCodec;
import dev.riffle.core.PointCodec;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The thin path's meter rate and environment routing, driven through the real topology. */
class MeterTopologyTest {
    static final List<ConfigKey<?>> KEYS = new ArrayList<>();

    static {
        KEYS.addAll(CommonKeys.ALL);
        KEYS.addAll(TopologyKeys.ALL);
    }

    static final long T0 = 1_700_000_000_000L; // a window start: divisible by 5000
    final TopologyCounters counters = new TopologyCounters();
    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> events;
    TestOutputTopic<String, byte[]> points;

    @BeforeEach
    void start() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(RiffleTopology.build(Config.defaults(KEYS), counters), p, Instant.ofEpochMilli(T0));
        events = driver.createInputTopic("riffle-events", new StringSerializer(), new ByteArraySerializer());
        points = driver.createOutputTopic("riffle-points", new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    void send(long timeMs, String host, String service, Double metric, String... tags) {
        Event e = Event.of(timeMs * 1000, host, service, List.of(tags), metric);
        events.pipeInput(host, EventCodec.encode(List.of(e)), timeMs);
    }

    List<String> lines() {
        List<String> out = new ArrayList<>();
        points.readKeyValuesToList().forEach(kv -> {
            var p = PointCodec.decode(kv.value);
            out.add(kv.key + " " + p.value() + " " + p.timestampSeconds());
        });
        return out;
    }

    @Test
    void tenMeterEventsInOneWindowAreTwoPerSecond() {
        for (int i = 0; i < 10; i++) {
            send(T0 + i * 100, "box1", "foo", null, "production", "meter");
        }
        assertTrue(lines().isEmpty(), "window still open");
        send(T0 + 6_000, "box9", "other", null, "meter"); // event time passes end + grace
        assertEquals(List.of("production.box1.foo.rate-per-second 2.0 " + T0 / 1000), lines());
    }

    @Test
    void metricsAreSummedAndMissingMetricCountsOne() {
        send(T0, "box1", "bytes", 7.0, "staging", "meter");
        send(T0 + 4_999, "box1", "bytes", null, "staging", "meter");
        send(T0 + 5_000, "box1", "bytes", 100.0, "staging", "meter"); // next window
        send(T0 + 11_000, "box1", "tick", null, "meter");
        assertEquals(List.of("staging.box1.bytes.rate-per-second 1.6 " + T0 / 1000,
                "staging.box1.bytes.rate-per-second 20.0 " + (T0 + 5_000) / 1000), lines());
    }

    @Test
    void routesByFirstConfiguredEnvironmentTag() {
        send(T0, "a", "s", null, "meter", "dev", "production"); // production comes first in the configured list
        send(T0, "b", "s", null, "meter");
        send(T0 + 6_000, "c", "t", null, "meter");
        List<String> lines = lines();
        assertTrue(lines.contains("production.a.s.rate-per-second 0.2 " + T0 / 1000), lines.toString());
        assertTrue(lines.contains("b.s.rate-per-second 0.2 " + T0 / 1000), lines.toString());
    }

    @Test
    void idleTaskClosesWindowsByWallClock() {
        send(T0 + 1_000, "box1", "foo", null, "production", "meter");
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertTrue(lines().isEmpty(), "event time has not passed end + grace yet");
        driver.advanceWallClockTime(Duration.ofSeconds(4)); // 1 s + 6 s idle > 5 s window + 1 s grace
        assertEquals(List.of("production.box1.foo.rate-per-second 0.2 " + T0 / 1000), lines());
    }

    @Test
    void lateEventsAreCountedAndDropped() {
        send(T0, "box1", "foo", null, "meter");
        send(T0 + 7_000, "box1", "foo", null, "meter"); // closes the first window
        send(T0 + 100, "box1", "foo", null, "meter"); // too late for it
        assertEquals(List.of("box1.foo.rate-per-second 0.2 " + T0 / 1000), lines());
        assertEquals(1, counters.lateEvents());
    }
}
