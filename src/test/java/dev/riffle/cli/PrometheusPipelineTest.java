package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.client.Riffle;
import dev.riffle.config.Config;
import dev.riffle.core.GraphiteNames;
import dev.riffle.core.SeriesId;
import dev.riffle.core.Statistic;
import dev.riffle.demo.DemoSite;
import dev.riffle.ingest.Bridge;
import dev.riffle.kafka.EmbeddedKafka;
import dev.riffle.sink.GraphiteSink;
import dev.riffle.sink.PrometheusSink;
import dev.riffle.sink.SinkKeys;
import dev.riffle.testing.RemoteWriteServer;
import dev.riffle.topology.StreamsApp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline as {@code riffle run} wires it, with the demo site sending, a Graphite sink printing its lines
 * and two Prometheus writers (a real Prometheus and a real VictoriaMetrics): every point of the demo's range is
 * stored in each receiver with the same value and timestamp as its Graphite line, and nothing else.
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PrometheusPipelineTest {
    @TempDir
    Path dir;

    /**
     * The Graphite path of a series the receivers hold, from its name and labels: the README's table read backwards
     * (a fleet host is {@code all-hosts}, plus its environment as configured by default), so that what Prometheus
     * stored can be compared with the sink's Graphite lines.
     */
    static String graphitePath(Map<String, String> labels) {
        String name = labels.get("__name__");
        String env = labels.getOrDefault("environment", "");
        String quantile = labels.get("quantile");
        Statistic st = quantile != null ? Statistic.percentile("value", quantile)
                : name.endsWith("_per_second") ? Statistic.rate("rate-per-second")
                : name.endsWith("_occurrences") ? Statistic.occurrences("occurrences") : Statistic.value();
        String host = labels.get("host");
        SeriesId id = host.equals("all-hosts")
                ? SeriesId.fleet(env, env.isEmpty() ? host : host + "." + env, labels.get("service"), st)
                : SeriesId.host(env, host, labels.get("service"), st);
        return GraphiteNames.of(id);
    }

    @Test
    void everyPointOfTheDemoIsInPrometheusAndVictoriaMetricsAsInGraphite() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
             RemoteWriteServer prom = RemoteWriteServer.prometheus(dir.resolve("prom"), "1h").start();
             RemoteWriteServer vm = RemoteWriteServer.victoriaMetrics(dir.resolve("vm"), null, null).start()) {
            Map<String, String> env = new HashMap<>();
            env.put("RIFFLE_DATA_DIR", dir.toString());
            env.put("RIFFLE_RIEMANN_PORT", "0");
            env.put("RIFFLE_STATSD_PORT", "0");
            env.put("RIFFLE_JSON_PORT", "0");
            env.put("RIFFLE_GRAPHITE", "none");
            env.put("RIFFLE_PRINT_POINTS", "true");
            env.put("RIFFLE_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
            Config config = Config.load(null, env, Settings.ALL_KEYS);
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            Bridge bridge = new Bridge(config, kafka.bootstrapServers());
            try (Pipeline pipeline = new Pipeline(config)) {
                pipeline.connect(false);
                pipeline.start(b -> new GraphiteSink(config, b, new PrintStream(stdout, true, StandardCharsets.UTF_8)))
                        .startAll(b -> PrometheusSink.configured(config.with(SinkKeys.PROMETHEUS_URL,
                                prom.writeUrl()), b))
                        .startAll(b -> PrometheusSink.configured(config.with(SinkKeys.PROMETHEUS_URL, vm.writeUrl())
                                .with(SinkKeys.GROUP_ID, "riffle-sink-vm"), b))
                        .start(b -> new StreamsApp(config, b, Map.of(StreamsConfig.STATE_DIR_CONFIG,
                                dir.resolve("streams").toString())))
                        .start(b -> bridge);
                long started = System.currentTimeMillis();
                try (DemoSite site = DemoSite.sendingTo("127.0.0.1", bridge.riemannPort(), Riffle.Protocol.TCP, 7)) {
                    site.run(16);
                }
                long stopped = System.currentTimeMillis();
                // whole windows the site sent through; meters' fill-ins after it are left out
                long first = (started / 5000 + 1) * 5;
                long last = (stopped / 5000 - 1) * 5;
                Map<String, TreeMap<Long, List<Double>>> expected = new HashMap<>();
                long deadline = System.nanoTime() + 60_000_000_000L;
                int n = 0;
                while (System.nanoTime() < deadline) {
                    expected.clear();
                    n = 0;
                    boolean lastSeen = false;
                    for (String line : stdout.toString(StandardCharsets.UTF_8).lines().toList()) {
                        String[] f = line.split(" ");
                        long t = Long.parseLong(f[2]);
                        lastSeen |= t > last;
                        if (t >= first && t <= last) {
                            expected.computeIfAbsent(f[0], k -> new TreeMap<>())
                                    .put(t * 1000, List.of(Double.parseDouble(f[1])));
                            n++;
                        }
                    }
                    if (lastSeen) { // windows close in order: the range is complete once a later one is printed
                        break;
                    }
                    Thread.sleep(500);
                }
                assertTrue(n > 100, "the demo's points in " + first + ".." + last + ": " + n);
                for (RemoteWriteServer receiver : List.of(prom, vm)) {
                    int count = n;
                    var stored = receiver.await("{__name__=~\".+\",host!=\"riffle\"}", first * 1000, last * 1000,
                            s -> s.values().stream().mapToInt(TreeMap::size).sum() >= count, Duration.ofSeconds(30));
                    stored.values().removeIf(TreeMap::isEmpty);
                    Map<String, TreeMap<Long, List<Double>>> byPath = new HashMap<>();
                    stored.forEach((labels, points) -> {
                        assertEquals(null, byPath.put(graphitePath(labels), points), "two series for " + labels);
                    });
                    dev.riffle.sink.PrometheusNamesAccess.assertSame(expected, byPath, receiver);
                }
            }
        }
    }
}
