package dev.riffle.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.core.PointsCodec;
import dev.riffle.core.SeriesId;
import dev.riffle.core.SinkFigures;
import dev.riffle.core.Statistic;
import dev.riffle.cli.TestKeys;
import java.time.Instant;
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
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/**
 * The sink's own figures reach the alert stage through the points topic, stamped by the sink's wall clock when their
 * 5 s window ends, which is before the topology has written that window (it waits for the grace and the bridges'
 * ticks) and, while the topology catches up, far ahead of it. They are evaluated like any point but never move the
 * partition's clock: else an absence would fire before its series' point of the same window came.
 */
class SinkFiguresClockTest {
    private static final long W = 5_000;
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void aSinkFigureIsEvaluatedButDoesNotMoveTheClock() {
        List<Rule> rules = List.of(EvaluationOracleTest.absent("quiet", "production.*.requests.rate-per-second", W),
                EvaluationOracleTest.threshold("sink-lag", "riffle.sink.*.lag", true, 1000, 0, 0));
        PointEvaluator e = new PointEvaluator(rules, StateView.inMemory(), 1_000);
        assertEquals(List.of(), e.onPoint("production.web1.requests.rate-per-second", T0, 3.0));
        assertEquals(T0, e.clock());

        // the sink closes its window T0 + W (and later ones, the topology lagging) before the topology wrote them
        List<Transition> fired = e.onPoint("riffle.sink.box1.lag", T0 + W, 5000, false);
        assertEquals(1, fired.size(), fired.toString()); // evaluated: its threshold rule fires
        assertEquals(Transition.Status.FIRING, fired.get(0).status());
        assertEquals(List.of(), e.onPoint("riffle.sink.box1.points-written", T0 + 20 * W, 42, false));
        assertEquals(T0, e.clock(), "the sink's figures left the clock where the topology's points put it");

        // the topology's point of window T0 + W comes: no absence fired in between, none fires now
        assertEquals(List.of(), e.onPoint("production.web1.requests.rate-per-second", T0 + W, 3.0));
        assertEquals(T0 + W, e.clock());

        // the same figure as an ordinary point would have moved the clock and fired the absence too early
        PointEvaluator moved = new PointEvaluator(rules, StateView.inMemory(), 1_000);
        moved.onPoint("production.web1.requests.rate-per-second", T0, 3.0);
        List<Transition> early = moved.onPoint("riffle.sink.box1.points-written", T0 + W, 42);
        assertEquals(1, early.size(), early.toString());
        assertEquals("quiet", early.get(0).rule());
    }

    /** The same through the alert topology: it knows the sink's figures by their series, under the self host. */
    @Test
    void theAlertTopologyKeepsItsClockOnTheTopologysPointsOnly() {
        Config config = Config.load(null, Map.of("RIFFLE_TOPOLOGY_SELF_HOST", "me",
                "RIFFLE_ALERTS_RULES", "[{name: quiet, match: 'production.*.requests.rate-per-second', absent_for: 5s},"
                        + " {name: sink-lag, match: 'me.sink.*.lag', above: 1000}]"), TestKeys.all());
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "sink-figures-clock");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver alerts = new TopologyTestDriver(AlertTopology.build(config, new AlertCounters()), p,
                Instant.ofEpochMilli(T0))) {
            TestInputTopic<String, byte[]> in = alerts.createInputTopic(config.get(CommonKeys.POINTS_TOPIC),
                    new StringSerializer(), new ByteArraySerializer());
            TestOutputTopic<String, byte[]> out = alerts.createOutputTopic(config.get(AlertKeys.TOPIC),
                    new StringDeserializer(), new ByteArrayDeserializer());
            SeriesId web1 = SeriesId.host("production", "web1", "requests", Statistic.rate("rate-per-second"));
            in.pipeInput("lane-1", new PointsCodec.Builder().add(web1, 3.0, T0 / 1000).build(), T0);
            // the sink's figures, 20 windows ahead of the topology: the lag rule fires, the absence does not
            in.pipeInput("lane-2", new PointsCodec.Builder()
                    .add(SinkFigures.series("me", "box1", "lag"), 5000, (T0 + 20 * W) / 1000)
                    .add(SinkFigures.series("me", "box1", "points-written"), 42, (T0 + 20 * W) / 1000).build(),
                    T0 + 20 * W);
            List<Transition> fired = out.readValuesToList().stream().map(TransitionCodec::decode).toList();
            assertEquals(List.of("sink-lag"), fired.stream().map(Transition::rule).toList(), fired.toString());
            // the topology's point of the next window: still no absence, the clock was at T0
            in.pipeInput("lane-1", new PointsCodec.Builder().add(web1, 3.0, (T0 + W) / 1000).build(), T0 + W);
            assertEquals(List.of(), out.readValuesToList());
            // the same shape under a host that is not the self host is an ordinary point: it moves the clock
            in.pipeInput("lane-3", new PointsCodec.Builder().add(SinkFigures.series("riffle", "box1", "lag"), 1,
                    (T0 + 20 * W) / 1000).build(), T0 + 20 * W);
            fired = out.readValuesToList().stream().map(TransitionCodec::decode).toList();
            assertEquals(List.of("quiet"), fired.stream().map(Transition::rule).toList(), fired.toString());
        }
    }
}
