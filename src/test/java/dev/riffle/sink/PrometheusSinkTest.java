package dev.riffle.sink;

import static dev.riffle.sink.SinkFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.GraphiteNames;
import dev.riffle.core.PointsCodec;
import dev.riffle.core.SeriesId;
import dev.riffle.core.Stage;
import dev.riffle.core.Statistic;
import dev.riffle.testing.CarbonServer;
import dev.riffle.testing.RemoteWriteServer;
import dev.riffle.testing.WithKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Prometheus writer as the CLI runs it ({@link PrometheusSink}, its own consumer group) beside the Graphite sink,
 * both fed by the points topic, against real receivers: a receiver down under load and restarted loses nothing and
 * doubles nothing while carbon goes on; a receiver that refuses the credentials is counted and skipped.
 */
@Tag("slow")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PrometheusSinkTest extends WithKafka {
    /** The outage, 10 s by default; {@code -Driffle.test.prometheus_outage_s=60} for the minute. */
    private static final long OUTAGE_S = Long.getLong("riffle.test.prometheus_outage_s", 10);

    private static PrometheusSink start(SinkFixture f, String url) {
        List<Stage> stages = PrometheusSink.configured(f.config().with(SinkKeys.PROMETHEUS_URL, url)
                .with(SinkKeys.PROMETHEUS_MAX_BACKOFF_MS, 1_000), f.bootstrap);
        PrometheusSink sink = ((PrometheusSink) stages.get(0)).lagEvery(SinkFixture.LAG_EVERY);
        sink.start();
        return sink;
    }

    /** One point of a series, as the topology writes it. */
    private static void send(SinkFixture f, SeriesId id, double value, long seconds) {
        f.sendRaw(GraphiteNames.of(id), new PointsCodec.Builder().add(id, value, seconds).build());
    }

    private static Map<String, String> labels(SeriesId id) {
        return new TreeMap<>(PrometheusNames.of(id).labels());
    }

    @Test
    void prometheusDownUnderLoadThenRestartedLosesNothingDoublesNothingAndCarbonGoesOn() throws Exception {
        outage(RemoteWriteServer.prometheus(dir.resolve("prom-outage"), "3h"), "prom");
    }

    @Test
    void victoriaMetricsDownUnderLoadThenRestartedLosesNothingDoublesNothingAndCarbonGoesOn() throws Exception {
        outage(RemoteWriteServer.victoriaMetrics(dir.resolve("vm-outage"), null, null), "vm");
    }

    private void outage(RemoteWriteServer receiver, String name) throws Exception {
        try (receiver; CarbonServer carbon = new CarbonServer(dir.resolve("carbon-" + name)).start();
             SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            receiver.start();
            // the Graphite sink's own figures would add to both counts
            f.with(SinkKeys.GRAPHITE, carbon.endpoint()).with(SinkKeys.SELF_METRICS, false);
            GraphiteSink graphite = f.startSink();
            PrometheusSink prometheus = start(f, receiver.writeUrl());
            Map<Map<String, String>, TreeMap<Long, List<Double>>> expected = new java.util.HashMap<>();
            Map<String, Map<Long, Double>> expectedCarbon = new TreeMap<>();
            long base = SinkFixture.windowsAgo(1_500);
            int[] tick = {0};
            Runnable produceTick = () -> { // 20 series, one window each per tick, every 100 ms: 200 points/s
                for (int p = 0; p < 20; p++) {
                    String service = "outage-" + name;
                    SeriesId id = p % 2 == 0
                            ? SeriesId.host("production", "box" + p, service, Statistic.rate("rate-per-second"))
                            : SeriesId.host("staging", "box" + p, service, Statistic.percentile("value", "0.99"));
                    long t = base + 5L * tick[0];
                    double value = tick[0] * 100 + p + 0.25;
                    send(f, id, value, t);
                    expected.computeIfAbsent(labels(id), k -> new TreeMap<>()).put(t * 1000, List.of(value));
                    expectedCarbon.computeIfAbsent(GraphiteNames.of(id), k -> new TreeMap<>()).put(t, value);
                }
                tick[0]++;
                f.flush();
            };
            long until = System.nanoTime() + 4_000_000_000L;
            while (System.nanoTime() < until) {
                produceTick.run();
                Thread.sleep(100);
            }
            receiver.stop();
            int ticksAtStop = tick[0];
            long downUntil = System.nanoTime() + OUTAGE_S * 1_000_000_000L;
            long maxLag = 0;
            while (System.nanoTime() < downUntil) {
                produceTick.run();
                maxLag = Math.max(maxLag, prometheus.lag());
                Thread.sleep(100);
            }
            int producedWhileDown = (tick[0] - ticksAtStop) * 20;
            assertTrue(prometheus.status().contains("DOWN"), prometheus.status());
            assertTrue(maxLag > producedWhileDown / 2, "the lag grows while it is down: " + maxLag + " of "
                    + producedWhileDown + "; " + prometheus.status());
            // carbon does not wait for Prometheus: what came during the outage is in carbon already
            String last = "staging.box19.outage-" + name + ".value.99";
            long lastT = base + 5L * (tick[0] - 1);
            assertTrue(carbon.awaitPoints(last, lastT - 5, lastT + 5, 1, Duration.ofSeconds(15)).size() == 1,
                    "carbon got the points of the outage: " + graphite.status());
            receiver.start();
            until = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < until) {
                produceTick.run();
                Thread.sleep(100);
            }
            int total = tick[0] * 20;
            var stored = receiver.await("{service=\"outage-" + name + "\"}", base * 1000,
                    (base + 5L * tick[0]) * 1000, s -> s.values().stream().mapToInt(TreeMap::size).sum() >= total,
                    Duration.ofSeconds(60));
            PrometheusTargetTest.assertSame(expected, stored, 0, receiver);
            assertTrue(await(() -> prometheus.lag() == 0, Duration.ofSeconds(20)), prometheus.status());
            assertEquals(total, prometheus.pointsWritten(), prometheus.status());
            assertEquals(1, prometheus.target().outages(), prometheus.status());
            assertEquals(0, prometheus.target().samplesRefused(), prometheus.status());
            assertTrue(prometheus.target().samplesStored() >= total, prometheus.status());
            GraphiteSinkCarbonTest.assertStored(carbon, expectedCarbon, Duration.ofSeconds(30));
            assertEquals(total, graphite.pointsWritten(), graphite.status());
            prometheus.close();
        }
    }

    @Test
    void aWrongPasswordIsCountedAndSkippedTheSinkCommitsAndCarbonHasEverything() throws Exception {
        try (RemoteWriteServer vm = RemoteWriteServer.victoriaMetrics(dir.resolve("vm-auth"), "riffle", "right")
                .start();
             CarbonServer carbon = new CarbonServer(dir.resolve("carbon-auth")).start();
             SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            Path password = Files.writeString(dir.resolve("password"), "wrong");
            f.with(SinkKeys.GRAPHITE, carbon.endpoint()).with(SinkKeys.SELF_METRICS, false)
                    .with(SinkKeys.PROMETHEUS_BASIC_AUTH_USER, "riffle")
                    .with(SinkKeys.PROMETHEUS_BASIC_AUTH_PASSWORD_FILE, password.toString());
            GraphiteSink graphite = f.startSink();
            PrometheusSink prometheus = start(f, vm.writeUrl());
            long base = SinkFixture.windowsAgo(200);
            for (int w = 0; w < 100; w++) {
                for (int p = 0; p < 10; p++) {
                    send(f, SeriesId.host("production", "box" + p, "auth", Statistic.value()), w + p, base + 5L * w);
                }
            }
            f.flush();
            assertTrue(await(() -> prometheus.target().samplesRefused() == 1_000, Duration.ofSeconds(30)),
                    prometheus.status());
            assertTrue(await(() -> prometheus.lag() == 0, Duration.ofSeconds(20)), "skipped means committed: "
                    + prometheus.status());
            assertEquals(0, prometheus.target().outages(), "a refusal is not an outage");
            assertTrue(await(() -> graphite.pointsWritten() == 1_000, Duration.ofSeconds(20)), graphite.status());
            assertEquals(100, carbon.awaitPoints("production.box9.auth", base - 5, base + 500, 100,
                    Duration.ofSeconds(30))
                    .size());
            assertTrue(vm.samples("{service=\"auth\"}", base * 1000, (base + 500) * 1000).isEmpty());
            prometheus.close();
        }
    }
}
