package dev.riffle.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.Point;
import dev.riffle.core.SeriesId;
import dev.riffle.core.Statistic;
import dev.riffle.testing.RemoteWriteServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The remote write target against a real Prometheus 2.42 and VictoriaMetrics 1.79 (Debian packages). */
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PrometheusTargetTest {
    @TempDir
    Path dir;

    /** Samples as the receivers answer them: labels -> time ms -> values stored at that time. */
    private static final class Expected {
        final Map<Map<String, String>, TreeMap<Long, List<Double>>> samples = new java.util.HashMap<>();
        int count;

        void add(SeriesId id, double value, long seconds) {
            samples.computeIfAbsent(new TreeMap<>(PrometheusNames.of(id).labels()), k -> new TreeMap<>())
                    .put(seconds * 1000, List.of(value));
            count++;
        }
    }

    private static PrometheusTarget target(String url, int batch) {
        return new PrometheusTarget(new RemoteWriteClient(url, Duration.ofSeconds(5), null, null, null, null, null),
                batch, 1_000);
    }

    private static void write(PrometheusTarget t, SeriesId id, double value, long seconds) {
        Point p = new Point(value, seconds);
        while (!t.accept(id, p)) {
            assertTrue(t.flush(), t.describe());
        }
    }

    /** Values Prometheus keeps exactly (float64), however far apart within a series. */
    private static final double[] EXACT = {0.0, 1e-7, 2.5, -17.25, 1e21, 123456789012.0, 0.1, 1.0 / 3, 42};
    /**
     * Values VictoriaMetrics keeps exactly: it stores a block of a series as decimal mantissas with one exponent,
     * so values 28 orders of magnitude apart in one series lose the small ones, and it keeps about 12 digits.
     */
    private static final double[] DECIMAL = {0.0, 0.5, 2.5, -17.25, 1234.5, 0.1, 42, 99.9, 1e6};

    /** 30 series of every kind over 20 windows of the 10 minutes before {@code nowSeconds}. */
    private static Expected writeMix(PrometheusTarget t, long nowSeconds, double[] values) {
        Expected e = new Expected();
        long first = (nowSeconds / 5 - 120) * 5;
        for (int w = 0; w < 20; w++) {
            for (int h = 0; h < 5; h++) {
                for (SeriesId id : List.of(
                        SeriesId.host("production", "box" + h, "search-time", Statistic.percentile("value", "0.99")),
                        SeriesId.host("production", "box" + h, "search-time", Statistic.percentile("value", "1")),
                        SeriesId.host("", "box" + h, "page-views", Statistic.rate("rate-per-second")),
                        SeriesId.host("staging", "box" + h, "deploy", Statistic.occurrences("occurrences")),
                        SeriesId.host("production", "box" + h, "disk /var used", Statistic.value()),
                        SeriesId.fleet("production", "all-hosts.production", "page-views" + h,
                                Statistic.rate("rate-per-second")))) {
                    double v = values[(w + h) % values.length] * (h + 1);
                    long t1 = first + 5L * (w * 6 + h % 6); // each series its own times, all increasing
                    write(t, id, v, t1);
                    e.add(id, v, t1);
                }
            }
        }
        assertTrue(t.flush(), t.describe());
        return e;
    }

    private static void assertStored(RemoteWriteServer server, Expected e, long fromMs, long untilMs)
            throws Exception {
        var stored = server.await("{service=~\".+\"}", fromMs, untilMs,
                s -> s.values().stream().mapToInt(TreeMap::size).sum() >= e.count, Duration.ofSeconds(30));
        assertSame(e.samples, stored, server.kind() == RemoteWriteServer.Kind.PROMETHEUS ? 0 : 1e-12, server);
    }

    /**
     * The same series with the same timestamps, each stored once, with the same values: exactly for Prometheus
     * (float64), within {@code relative} for VictoriaMetrics (it stores decimal mantissas of about 12 digits:
     * 0.30000000000000004 comes back as 0.3).
     */
    static <K> void assertSame(Map<K, TreeMap<Long, List<Double>>> expected,
                               Map<K, TreeMap<Long, List<Double>>> stored, double relative, RemoteWriteServer server) {
        List<String> diff = new ArrayList<>();
        java.util.Set<K> all = new java.util.HashSet<>(expected.keySet());
        all.addAll(stored.keySet());
        for (K series : all) {
            TreeMap<Long, List<Double>> want = expected.getOrDefault(series, new TreeMap<>());
            TreeMap<Long, List<Double>> got = stored.getOrDefault(series, new TreeMap<>());
            java.util.Set<Long> times = new java.util.TreeSet<>(want.keySet());
            times.addAll(got.keySet());
            for (long t : times) {
                List<Double> w = want.getOrDefault(t, List.of());
                List<Double> g = got.getOrDefault(t, List.of());
                boolean same = w.size() == g.size();
                for (int i = 0; same && i < w.size(); i++) {
                    double a = w.get(i);
                    double b = g.get(i);
                    same = relative == 0 ? Double.compare(a, b) == 0 || a == b
                            : Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b));
                }
                if (!same && diff.size() < 20) {
                    diff.add(series + " @" + t + ": sent " + w + ", stored " + g);
                }
            }
        }
        assertTrue(diff.isEmpty(), server.kind() + " stored other samples:\n" + String.join("\n", diff) + "\n"
                + server.log());
    }

    @Test
    void everySampleLandsInPrometheusWithItsNameLabelsValueAndTime() throws Exception {
        try (RemoteWriteServer prom = RemoteWriteServer.prometheus(dir.resolve("prom"), null).start()) {
            PrometheusTarget t = target(prom.writeUrl(), 97);
            long now = System.currentTimeMillis() / 1000;
            Expected e = writeMix(t, now, EXACT);
            assertEquals(600, e.count);
            assertEquals(600, t.samplesStored());
            assertEquals(0, t.samplesRefused());
            assertStored(prom, e, (now - 700) * 1000, now * 1000);
            // the names a user queries by
            assertEquals(5, prom.samples("search_time{quantile=\"0.99\",environment=\"production\"}",
                    (now - 700) * 1000, now * 1000).size());
            assertEquals(1, prom.samples("page_views0_per_second{host=\"all-hosts\"}",
                    (now - 700) * 1000, now * 1000).size());
        }
    }

    @Test
    void everySampleLandsInVictoriaMetricsAndASecondSendIsNotDoubled() throws Exception {
        try (RemoteWriteServer vm = RemoteWriteServer.victoriaMetrics(dir.resolve("vm"), null, null).start()) {
            PrometheusTarget t = target(vm.writeUrl(), 97);
            long now = System.currentTimeMillis() / 1000;
            Expected e = writeMix(t, now, DECIMAL);
            assertStored(vm, e, (now - 700) * 1000, now * 1000);
            // what a sink rewind or a replay does: the same samples again
            writeMix(t, now, DECIMAL);
            assertEquals(1200, t.samplesStored());
            // no wait: the read forces VictoriaMetrics to flush first, so a doubled sample would be seen at once
            assertStored(vm, e, (now - 700) * 1000, now * 1000);
        }
    }

    @Test
    void aReplayIntoPrometheusWithAnOutOfOrderWindowStoresTheSameValuesWithoutErrors() throws Exception {
        try (RemoteWriteServer prom = RemoteWriteServer.prometheus(dir.resolve("prom-ooo"), "3h").start()) {
            PrometheusTarget t = target(prom.writeUrl(), 500);
            long now = System.currentTimeMillis() / 1000;
            Expected live = writeMix(t, now, EXACT); // the last 10 minutes, live
            // then a replay of an hour before: behind every series' newest
            Expected past = writeMix(t, now - 3_600, EXACT);
            Expected again = writeMix(t, now, EXACT); // and the live range once more, as a sink rewind sends it
            assertEquals(1800, t.samplesStored());
            assertEquals(0, t.samplesRefused(), t.describe());
            assertStored(prom, live, (now - 700) * 1000, now * 1000);
            assertStored(prom, past, (now - 4_300) * 1000, (now - 3_600) * 1000);
            assertEquals(live.samples, again.samples);
        }
    }

    @Test
    void prometheusWithoutAWindowRefusesTheOldSamplesOnlyAndTheNewOnesAreStored() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        try (RemoteWriteServer prom = RemoteWriteServer.prometheus(dir.resolve("prom-strict"), null).start()) {
            PrometheusTarget t = target(prom.writeUrl(), 2_000);
            long now = System.currentTimeMillis() / 1000;
            long base = (now / 5 - 60) * 5;
            SeriesId a = SeriesId.host("production", "box1", "late", Statistic.value());
            for (int w = 30; w < 40; w++) {
                write(t, a, w, base + 5L * w);
            }
            assertTrue(t.flush());
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            // one request: 10 samples of a behind its newest (refused by Prometheus) among 200 new ones
            Expected fresh = new Expected();
            for (int w = 0; w < 40; w++) {
                for (int h = 0; h < 5; h++) {
                    SeriesId b = SeriesId.host("production", "box" + h, "fresh", Statistic.value());
                    write(t, b, w * 10 + h, base + 5L * w);
                    fresh.add(b, w * 10 + h, base + 5L * w);
                }
                if (w < 10) {
                    write(t, a, -w, base + 5L * w);
                }
            }
            long requestsBefore = t.requests();
            assertTrue(t.flush(), "refused samples are skipped, not a failure: " + t.describe());
            System.setErr(saved);
            assertEquals(10, t.samplesRefused(), t.describe());
            assertEquals(210, t.samplesStored(), t.describe());
            assertTrue(t.requests() - requestsBefore <= 1 + PrometheusTarget.SPLIT_REQUESTS, "bounded splitting");
            var stored = prom.await("{__name__=\"fresh\"}", base * 1000, (base + 200) * 1000,
                    s -> s.values().stream().mapToInt(TreeMap::size).sum() >= 200, Duration.ofSeconds(20));
            assertEquals(fresh.samples, stored);
            List<String> lines = err.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains("refused")).toList();
            assertEquals(1, lines.size(), "one line for the refusals: " + lines);
            assertTrue(lines.get(0).contains("HTTP 400") && lines.get(0).contains("out of order"), lines.get(0));
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void aWrongPasswordIsRefusedCountedAndSkippedTheRightOneStores() throws Exception {
        try (RemoteWriteServer vm = RemoteWriteServer.victoriaMetrics(dir.resolve("vm-auth"), "riffle", "s3cret")
                .start()) {
            Path wrong = Files.writeString(dir.resolve("wrong"), "guess\n");
            Path right = Files.writeString(dir.resolve("right"), "s3cret\n");
            PrometheusTarget bad = new PrometheusTarget(new RemoteWriteClient(vm.writeUrl(), Duration.ofSeconds(5),
                    null, null, "riffle", wrong, null), 50, 1_000);
            SeriesId id = SeriesId.host("production", "box1", "auth", Statistic.value());
            long base = (System.currentTimeMillis() / 5000 - 50) * 5;
            for (int w = 0; w < 120; w++) {
                write(bad, id, w, base + 5L * w);
            }
            assertTrue(bad.flush());
            assertEquals(120, bad.samplesRefused(), bad.describe());
            assertEquals(3, bad.requests(), "a 401 is not split nor retried");
            assertEquals(0, bad.outages());
            PrometheusTarget good = new PrometheusTarget(new RemoteWriteClient(vm.writeUrl(), Duration.ofSeconds(5),
                    null, null, "riffle", right, null), 50, 1_000);
            for (int w = 0; w < 120; w++) {
                write(good, id, w, base + 5L * w);
            }
            assertTrue(good.flush());
            assertEquals(120, good.samplesStored());
            var stored = vm.await("{__name__=\"auth\"}", base * 1000, (base + 600) * 1000,
                    s -> s.values().stream().mapToInt(TreeMap::size).sum() >= 120, Duration.ofSeconds(20));
            assertEquals(120, stored.values().iterator().next().size());
        }
    }

    @Test
    void aReceiverThatIsDownFailsTheFlushBacksOffAndIsProbedUntilItAnswers() throws Exception {
        RemoteWriteServer vm = RemoteWriteServer.victoriaMetrics(dir.resolve("vm-down"), null, null);
        try {
            PrometheusTarget t = target(vm.writeUrl(), 100);
            SeriesId id = SeriesId.host("production", "box1", "down", Statistic.value());
            long base = (System.currentTimeMillis() / 5000 - 50) * 5;
            for (int w = 0; w < 10; w++) {
                assertTrue(t.accept(id, new Point(w, base + 5L * w)));
            }
            assertFalse(t.flush(), "nothing listens: the sink must rewind");
            assertEquals(1, t.outages());
            assertFalse(t.ready(), "within its backoff");
            assertTrue(t.millisUntilRetry() <= 100);
            long until = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < until) {
                assertFalse(t.ready());
                Thread.sleep(Math.max(1, t.millisUntilRetry()));
            }
            assertTrue(t.describe().contains("DOWN"), t.describe());
            assertEquals(1, t.outages(), "one outage however many tries");
            vm.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!t.ready() && System.nanoTime() < deadline) {
                Thread.sleep(Math.max(1, t.millisUntilRetry()));
            }
            assertTrue(t.ready(), t.describe());
            for (int w = 0; w < 10; w++) { // the sink's rewind delivers them again
                assertTrue(t.accept(id, new Point(w, base + 5L * w)));
            }
            assertTrue(t.flush());
            assertEquals(10, t.samplesStored());
            var stored = vm.await("{__name__=\"down\"}", base * 1000, (base + 60) * 1000,
                    s -> s.values().stream().mapToInt(TreeMap::size).sum() >= 10, Duration.ofSeconds(20));
            assertEquals(10, stored.values().iterator().next().size());
        } finally {
            vm.close();
        }
    }

    @Test
    void httpsIsCheckedAgainstTheCaFileAndNotTrustedWithoutIt() throws Exception {
        Path[] pem = RemoteWriteServer.selfSignedCertificate(Files.createDirectories(dir.resolve("tls")));
        try (RemoteWriteServer vm = RemoteWriteServer.victoriaMetrics(dir.resolve("vm-tls"), null, null, pem[0],
                pem[1]).start()) {
            assertTrue(vm.writeUrl().startsWith("https://"));
            SeriesId id = SeriesId.host("production", "box1", "tls", Statistic.value());
            long base = (System.currentTimeMillis() / 5000 - 50) * 5;
            // the JVM's trust store does not know a self-signed certificate: an outage, not a refusal
            PrometheusTarget untrusted = target(vm.writeUrl(), 100);
            assertTrue(untrusted.accept(id, new Point(1, base)));
            assertFalse(untrusted.flush(), untrusted.describe());
            assertEquals(1, untrusted.outages());
            PrometheusTarget t = new PrometheusTarget(new RemoteWriteClient(vm.writeUrl(), Duration.ofSeconds(5),
                    pem[0], null, null, null, null), 100, 1_000);
            for (int w = 0; w < 30; w++) {
                write(t, id, w * 1.5, base + 5L * w);
            }
            assertTrue(t.flush(), t.describe());
            assertEquals(30, t.samplesStored());
            var stored = vm.await("{service=\"tls\"}", base * 1000, (base + 200) * 1000,
                    s -> s.values().stream().mapToInt(TreeMap::size).sum() >= 30, Duration.ofSeconds(20));
            assertEquals(30, stored.values().iterator().next().size());
        }
    }

    @Test
    void theBearerTokenIsReadFromItsFileAtEveryRequestAndTheProtocolAndTenantHeadersAreSent() throws Exception {
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        String[] accepted = {"Bearer first"};
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/write", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            var h = ex.getRequestHeaders();
            seen.add(h.getFirst("Authorization") + "|" + h.getFirst("Content-Encoding") + "|"
                    + h.getFirst("Content-Type") + "|" + h.getFirst("X-Prometheus-Remote-Write-Version") + "|"
                    + h.getFirst("X-Scope-OrgID") + "|"
                    + org.xerial.snappy.Snappy.uncompress(body).length);
            ex.sendResponseHeaders(accepted[0].equals(h.getFirst("Authorization")) ? 204 : 401, -1);
            ex.close();
        });
        server.start();
        try {
            Path token = Files.writeString(dir.resolve("token"), "first\n");
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write";
            PrometheusTarget t = new PrometheusTarget(new RemoteWriteClient(url, Duration.ofSeconds(5), null, token,
                    null, null, "team-a"), 100, 1_000);
            SeriesId id = SeriesId.host("production", "box1", "token", Statistic.value());
            assertTrue(t.accept(id, new Point(1, 1_800_000_000L)));
            assertTrue(t.flush());
            accepted[0] = "Bearer second"; // the receiver's token changed before ours
            assertTrue(t.accept(id, new Point(2, 1_800_000_005L)));
            assertTrue(t.flush(), "a 401 is skipped, not an outage");
            Files.writeString(token, "second");
            assertTrue(t.accept(id, new Point(3, 1_800_000_010L)));
            assertTrue(t.flush());
            assertEquals(2, t.samplesStored());
            assertEquals(1, t.samplesRefused());
            assertEquals(3, seen.size(), seen.toString());
            for (String s : seen) {
                assertTrue(s.matches("Bearer (first|second)\\|snappy\\|application/x-protobuf\\|0\\.1\\.0"
                        + "\\|team-a\\|[1-9][0-9]*"), s);
            }
            assertTrue(seen.get(2).startsWith("Bearer second|"), seen.toString());
        } finally {
            server.stop(0);
        }
    }
}
