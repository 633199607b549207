package dev.riffle.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.cli.TestKeys;
import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.core.Event;
import dev.riffle.core.EventCodec;
import dev.riffle.testing.Points;
import dev.riffle.topology.RiffleTopology;
import dev.riffle.topology.TopologyCounters;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, the alert stage's clock: the real topology (events and the bridge's ticks in, points out) feeds the
 * real alert topology, both under TopologyTestDriver. One host reports, then nothing at all reports while the
 * bridge keeps ticking: its {@code absent_for} alert fires within ttl + absent_for + one window of its last event,
 * once, and resolves when the host comes back; a replay of the same range gives the same transitions.
 */
class AlertClockTest {
    private static final long T0 = 1_700_000_000_000L; // a window start
    private static final long WINDOW = 5_000;
    private static final long TTL = 10_000;
    private static final long ABSENT_FOR = 15_000;
    private static final long LAST_EVENT = T0 + 29_000;
    private static final long RETURN = T0 + 150_000;
    private static final long END = T0 + 180_000;

    private final Config config = Config.load(null, Map.of(
            "RIFFLE_TOPOLOGY_DEFAULT_TTL_SECONDS", Long.toString(TTL / 1000),
            "RIFFLE_ALERTS_RULES", "[{name: host-silent, match: 'production.*.page-views.rate-per-second',"
                    + " absent_for: " + ABSENT_FOR / 1000 + "s}]"), TestKeys.all());

    /** What one run saw: the transitions in order, and the tick after which the first firing came out. */
    private record Run(List<String> transitions, long firedAtTick, long malformed) {
    }

    @Test
    void aFleetThatGoesSilentFiresItsAbsenceOnTheTicksOnceAndResolvesWhenBack() {
        Run live = run(RiffleTopology.build(config, new TopologyCounters()));
        // the glob covers the host and its fleet series (all-hosts goes silent with it): the host's own alert
        List<String> box1 = live.transitions.stream().filter(t -> t.contains(" production.box1.")).toList();
        List<String> firing = box1.stream().filter(t -> t.contains(" FIRING ")).toList();
        assertEquals(1, firing.size(), "fires once while silent: " + live.transitions);
        assertTrue(live.firedAtTick - LAST_EVENT <= TTL + ABSENT_FOR + WINDOW + 1_000 + WINDOW,
                "fired at the tick of " + (live.firedAtTick - LAST_EVENT) + " ms after the last event: "
                        + live.transitions);
        long firedAt = Long.parseLong(firing.get(0).split(" ")[3]);
        assertTrue(firedAt - LAST_EVENT <= TTL + ABSENT_FOR + WINDOW, "stamped " + (firedAt - LAST_EVENT)
                + " ms after the last event");
        assertTrue(firedAt > RETURN - 120_000 && firedAt < RETURN, "fired during the silence, not when it ended");
        List<String> resolved = box1.stream().filter(t -> t.contains(" RESOLVED ")).toList();
        assertEquals(1, resolved.size(), live.transitions.toString());
        assertEquals(4, live.transitions.size(), "box1 and all-hosts each fire and resolve once: " + live.transitions);
        assertTrue(Long.parseLong(resolved.get(0).split(" ")[3]) >= RETURN - WINDOW, resolved.toString());

        // a replay of the range: the same events and ticks through a topology that writes only the range
        Run replay = run(RiffleTopology.build(config, new TopologyCounters(), 0, T0, END));
        assertEquals(live.transitions, replay.transitions);
        assertEquals(2, live.malformed, "a point of the format before batches and a garbled record: counted, skipped");
    }

    private Run run(Topology topology) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "clock-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        Properties a = new Properties();
        a.putAll(p);
        a.put(StreamsConfig.APPLICATION_ID_CONFIG, "clock-test-alerts");
        List<String> transitions = new ArrayList<>();
        long firedAtTick = Long.MIN_VALUE;
        AlertCounters counters = new AlertCounters();
        try (TopologyTestDriver streams = new TopologyTestDriver(topology, p, Instant.ofEpochMilli(T0));
             TopologyTestDriver alerts = new TopologyTestDriver(AlertTopology.build(config, counters), a,
                     Instant.ofEpochMilli(T0))) {
            TestInputTopic<String, byte[]> events = streams.createInputTopic(config.get(CommonKeys.EVENTS_TOPIC),
                    new StringSerializer(), new ByteArraySerializer());
            TestOutputTopic<String, byte[]> out = streams.createOutputTopic(config.get(CommonKeys.POINTS_TOPIC),
                    new StringDeserializer(), new ByteArrayDeserializer());
            TestInputTopic<String, byte[]> in = alerts.createInputTopic(config.get(CommonKeys.POINTS_TOPIC),
                    new StringSerializer(), new ByteArraySerializer());
            TestOutputTopic<String, byte[]> fired = alerts.createOutputTopic(config.get(AlertKeys.TOPIC),
                    new StringDeserializer(), new ByteArrayDeserializer());
            // what the evaluator cannot read is counted and skipped; the points around it are evaluated
            in.pipeInput("production.box1.page-views.rate-per-second", Points.oldFormat(1.0, T0 / 1000), T0);
            in.pipeInput("lane-0", new byte[] {1, 2, 3}, T0);
            for (long t = T0; t <= END; t += 1_000) {
                boolean reporting = t <= LAST_EVENT || t >= RETURN;
                if (reporting) { // then nothing else reports at all: only the bridge's ticks go on
                    Event e = Event.of(t * 1000, "box1", "page-views", List.of("production", "meter"), 1.0);
                    events.pipeInput("box1", EventCodec.encode(List.of(e), t * 1000), t);
                }
                events.pipeInput("b1", EventCodec.encodeTick(new EventCodec.Tick("b1", (t + 1) * 1000, 1, false)), t);
                for (var r : out.readKeyValuesToList()) {
                    in.pipeInput(r.key, r.value, t);
                }
                for (var r : fired.readValuesToList()) {
                    Transition tr = TransitionCodec.decode(r);
                    transitions.add(tr.rule() + " " + tr.series() + " " + tr.status() + " " + tr.atMs());
                    if (tr.status() == Transition.Status.FIRING && firedAtTick == Long.MIN_VALUE) {
                        firedAtTick = t;
                    }
                }
            }
        }
        return new Run(transitions, firedAtTick, counters.malformed());
    }
}
