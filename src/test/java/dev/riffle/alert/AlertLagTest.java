package dev.riffle.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.cli.TestKeys;
import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.core.PointsCodec;
import dev.riffle.testing.Points;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, "the alert stage's lag": the status line says how far behind their time the points were evaluated
 * (the largest lag of the last one to two 5 s spans of wall time) and counts the points evaluated two windows
 * or more after their time. The real alert topology under TopologyTestDriver, with a wall clock the test moves.
 */
class AlertLagTest {
    private static final long NOW = 1_700_000_100_000L;

    @Test
    void theStatusLineSaysTheLagOfRecentPointsAndCountsThoseTwoWindowsBehind() {
        Config config = Config.load(null, Map.of("RIFFLE_ALERTS_RULES",
                "[{name: high, match: 'production.*.svc.value', above: 1000}]"), TestKeys.all());
        AtomicLong wall = new AtomicLong(NOW);
        AlertCounters counters = new AlertCounters(10_000, wall::get);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "lag-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver alerts = new TopologyTestDriver(AlertTopology.build(config, counters), p,
                Instant.ofEpochMilli(NOW))) {
            TestInputTopic<String, byte[]> in = alerts.createInputTopic(config.get(CommonKeys.POINTS_TOPIC),
                    new StringSerializer(), new ByteArraySerializer());
            assertTrue(counters.status().contains("lag 0 ms, points 10+ s behind 0"), counters.status());

            // one record, three points: 3 s, 10 s (the bound: counted) and 25 s behind the wall clock
            PointsCodec.Builder batch = new PointsCodec.Builder();
            for (long behind : new long[] {3_000, 10_000, 25_000}) {
                batch.add(Points.idOf("production.h" + behind + ".svc.value"), 1.0, (NOW - behind) / 1000);
            }
            in.pipeInput("h", batch.build(), NOW);
            assertEquals(3, counters.points());
            assertEquals(2, counters.behind());
            assertEquals(25_000, counters.recentLagMs(), "the oldest point of the record gives the lag");

            // a later record that is on time: the high-water mark stays for the rest of this span and the next
            wall.addAndGet(AlertCounters.LAG_SPAN_MS);
            in.pipeInput("h", Points.record("production.a.svc.value", 1.0, (wall.get() - 2_000) / 1000),
                    wall.get());
            assertEquals(25_000, counters.recentLagMs());
            assertEquals(2, counters.behind());
            // a span later only the on-time record is recent; two spans with no point at all: nothing recent
            wall.addAndGet(AlertCounters.LAG_SPAN_MS);
            assertEquals(2_000, counters.recentLagMs());
            wall.addAndGet(2 * AlertCounters.LAG_SPAN_MS);
            assertEquals(0, counters.recentLagMs());
            assertTrue(counters.status().contains("lag 0 ms, points 10+ s behind 2"), counters.status());
        }
    }
}
