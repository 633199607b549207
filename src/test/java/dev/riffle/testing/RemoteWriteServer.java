package dev.riffle.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A private remote write receiver for tests, from its Debian package: Prometheus 2.42 ({@code /usr/bin/prometheus}
 * with {@code --web.enable-remote-write-receiver}) or VictoriaMetrics 1.79 ({@code /usr/bin/victoria-metrics}),
 * each with its own storage under a temp folder, on 127.0.0.1 and a fixed free port (so it can be stopped and
 * started again at the same address). What it stored is read back as raw samples: Prometheus through
 * {@code /api/v1/query} with a range selector, VictoriaMetrics through {@code /api/v1/export} (after
 * {@code /internal/force_flush}, so that what it took is searchable at once).
 */
public final class RemoteWriteServer implements AutoCloseable {
    public static final String PROMETHEUS = "/usr/bin/prometheus";
    public static final String VICTORIA_METRICS = "/usr/bin/victoria-metrics";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Which receiver. */
    public enum Kind { PROMETHEUS, VICTORIA_METRICS }

    private final Kind kind;
    private final Path dir;
    private final int port;
    private final List<String> command;
    private final HttpClient http;
    private final String scheme;
    private Process process;
    private boolean hooked;

    private RemoteWriteServer(Kind kind, Path dir, int port, List<String> command, javax.net.ssl.SSLContext tls) {
        this.kind = kind;
        this.dir = dir;
        this.port = port;
        this.command = command;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        this.http = (tls == null ? b : b.sslContext(tls)).build();
        this.scheme = tls == null ? "http" : "https";
    }

    /**
     * A Prometheus; with {@code outOfOrderWindow} (e.g. {@code 2h}) its TSDB takes samples that far behind its
     * newest, as a replay sends them; null for Prometheus' default (none).
     */
    public static RemoteWriteServer prometheus(Path dir, String outOfOrderWindow) throws IOException {
        need(PROMETHEUS, "prometheus");
        Path d = dir.toAbsolutePath();
        Files.createDirectories(d.resolve("data"));
        String config = "global:\n  scrape_interval: 1h\n" + (outOfOrderWindow == null ? ""
                : "storage:\n  tsdb:\n    out_of_order_time_window: " + outOfOrderWindow + "\n");
        Files.writeString(d.resolve("prometheus.yml"), config, StandardCharsets.UTF_8);
        int port = freePort();
        return new RemoteWriteServer(Kind.PROMETHEUS, d, port, List.of(PROMETHEUS,
                "--config.file=" + d.resolve("prometheus.yml"), "--storage.tsdb.path=" + d.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--web.enable-remote-write-receiver",
                "--storage.tsdb.retention.time=30d", "--log.level=warn"), null);
    }

    /**
     * A VictoriaMetrics that keeps one sample per series and millisecond ({@code -dedup.minScrapeInterval=1ms}),
     * as Riffle's replays want; with a user, it asks for basic auth ({@code -httpAuth.*}).
     */
    public static RemoteWriteServer victoriaMetrics(Path dir, String user, String password) throws IOException {
        return victoriaMetrics(dir, user, password, null, null);
    }

    /**
     * The same serving https only, with a certificate and key (PEM) such as {@link #selfSignedCertificate} makes;
     * this helper's own reads trust exactly that certificate.
     */
    public static RemoteWriteServer victoriaMetrics(Path dir, String user, String password, Path cert, Path key)
            throws IOException {
        need(VICTORIA_METRICS, "victoria-metrics");
        Path d = dir.toAbsolutePath();
        Files.createDirectories(d.resolve("data"));
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(VICTORIA_METRICS, "-storageDataPath=" + d.resolve("data"),
                "-httpListenAddr=127.0.0.1:" + port, "-retentionPeriod=100y", "-dedup.minScrapeInterval=1ms",
                "-search.latencyOffset=0s", "-search.disableCache", "-selfScrapeInterval=0", "-loggerLevel=WARN"));
        if (user != null) {
            cmd.add("-httpAuth.username=" + user);
            cmd.add("-httpAuth.password=" + password);
        }
        if (cert != null) {
            cmd.add("-tls");
            cmd.add("-tlsCertFile=" + cert.toAbsolutePath());
            cmd.add("-tlsKeyFile=" + key.toAbsolutePath());
        }
        return new RemoteWriteServer(Kind.VICTORIA_METRICS, d, port, cmd, cert == null ? null : trusting(cert));
    }

    /** A self-signed certificate for 127.0.0.1 ({@code cert.pem}, {@code key.pem} in {@code dir}), by openssl. */
    public static Path[] selfSignedCertificate(Path dir) throws IOException, InterruptedException {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(),
                "-out", cert.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl failed: " + out);
        }
        return new Path[] {cert, key};
    }

    private static javax.net.ssl.SSLContext trusting(Path cert) throws IOException {
        try (var in = Files.newInputStream(cert)) {
            java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot trust " + cert, e);
        }
    }

    private static void need(String binary, String pkg) {
        if (!Files.isExecutable(Path.of(binary))) {
            throw new IllegalStateException(binary + " is needed: apt-get install " + pkg + " (scripts/test does)");
        }
    }

    public Kind kind() {
        return kind;
    }

    /** The remote write URL. */
    public String writeUrl() {
        return scheme + "://127.0.0.1:" + port + "/api/v1/write";
    }

    public int port() {
        return port;
    }

    /** Starts the receiver and waits until it says it is ready (at most 60 s). */
    public synchronized RemoteWriteServer start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return this;
        }
        process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.out").toFile())).start();
        if (!hooked) { // a test JVM that dies must not leave a receiver behind
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                Process p = this.process;
                if (p != null) {
                    p.destroyForcibly();
                }
            }, "remote-write-server-reaper"));
        }
        String ready = kind == Kind.PROMETHEUS ? "/-/ready" : "/health";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(kind + " exited with " + process.exitValue() + ": " + log());
            }
            try {
                if (get(ready).statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        stop();
        throw new IllegalStateException(kind + " not ready on " + port + " within 60 s: " + log());
    }

    /** Stops it as an operator would (SIGTERM), killing it if it does not stop within 30 s. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    public String log() {
        try {
            Path out = dir.resolve("server.out");
            String s = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
            return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
        } catch (IOException e) {
            return "(cannot read the log: " + e + ")";
        }
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(20));
        int u = command.indexOf(command.stream().filter(a -> a.startsWith("-httpAuth.username=")).findFirst()
                .orElse(""));
        if (u >= 0) {
            String user = command.get(u).substring("-httpAuth.username=".length());
            String pass = command.get(u + 1).substring("-httpAuth.password=".length());
            r.header("Authorization", "Basic " + java.util.Base64.getEncoder()
                    .encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /**
     * Every stored sample of the series matching {@code selector} (e.g. {@code {host="box1"}}) between two times
     * (ms): labels (name -> value, {@code __name__} included) -> timestamp ms -> value. Samples stored twice at the
     * same time are kept as a list, so that a test sees doubles.
     */
    public Map<Map<String, String>, TreeMap<Long, List<Double>>> samples(String selector, long fromMs, long untilMs)
            throws IOException, InterruptedException {
        Map<Map<String, String>, TreeMap<Long, List<Double>>> out = new java.util.HashMap<>();
        if (kind == Kind.PROMETHEUS) {
            long seconds = Math.max(1, (untilMs - fromMs) / 1000 + 1);
            String q = selector + "[" + seconds + "s]";
            HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8)
                    + "&time=" + (untilMs / 1000.0));
            if (r.statusCode() != 200) {
                throw new IOException("query " + q + ": " + r.statusCode() + " " + r.body());
            }
            for (JsonNode series : JSON.readTree(r.body()).path("data").path("result")) {
                TreeMap<Long, List<Double>> points = out.computeIfAbsent(labels(series.get("metric")),
                        k -> new TreeMap<>());
                for (JsonNode v : series.get("values")) {
                    long t = Math.round(v.get(0).asDouble() * 1000);
                    if (t >= fromMs) {
                        points.computeIfAbsent(t, k -> new ArrayList<>()).add(Double.parseDouble(v.get(1).asText()));
                    }
                }
            }
        } else {
            // VictoriaMetrics makes a new series searchable only when its in-memory index entries are flushed, which
            // can take about 10 s; its /internal/force_flush does that at once, so a read sees all that was written
            HttpResponse<String> flushed = get("/internal/force_flush");
            if (flushed.statusCode() != 200) {
                throw new IOException("force_flush: " + flushed.statusCode() + " " + flushed.body());
            }
            HttpResponse<String> r = get("/api/v1/export?match[]=" + URLEncoder.encode(selector,
                    StandardCharsets.UTF_8) + "&start=" + fromMs / 1000 + "&end=" + (untilMs + 999) / 1000);
            if (r.statusCode() != 200) {
                throw new IOException("export " + selector + ": " + r.statusCode() + " " + r.body());
            }
            for (String line : r.body().split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode series = JSON.readTree(line);
                TreeMap<Long, List<Double>> points = out.computeIfAbsent(labels(series.get("metric")),
                        k -> new TreeMap<>());
                JsonNode ts = series.get("timestamps");
                JsonNode vs = series.get("values");
                for (int i = 0; i < ts.size(); i++) {
                    points.computeIfAbsent(ts.get(i).asLong(), k -> new ArrayList<>()).add(vs.get(i).asDouble());
                }
            }
        }
        return out;
    }

    private static Map<String, String> labels(JsonNode metric) {
        Map<String, String> m = new TreeMap<>();
        metric.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    /** Polls {@link #samples} until {@code done} holds or the timeout passes; returns the last answer. */
    public Map<Map<String, String>, TreeMap<Long, List<Double>>> await(String selector, long fromMs, long untilMs,
            Predicate<Map<Map<String, String>, TreeMap<Long, List<Double>>>> done, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        var s = samples(selector, fromMs, untilMs);
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            s = samples(selector, fromMs, untilMs);
        }
        return s;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
