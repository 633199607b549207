package dev.riffle.bench.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Etsy statsd (the npm package {@code statsd}, run with Node.js) as the reference a user would pick instead,
 * configured the way that compares: listening on a free loopback UDP port, flushing every
 * {@code flushMillis} to a Graphite plaintext endpoint, {@code legacyNamespace: false} (so counters are
 * {@code stats.counters.NAME.count}, timers {@code stats.timers.NAME.*}, gauges {@code stats.gauges.NAME}),
 * percentiles 50, 75, 95, 99 (Riffle's ranks; the max is {@code upper}), and {@code deleteIdleStats: true}, so that
 * the series of finished steps stop being flushed as zeros.
 */
final class EtsyStatsd implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path logFile;
    private volatile boolean up;

    EtsyStatsd(Path statsdDir, Path dir, String graphiteHost, int graphitePort, int flushMillis)
            throws IOException, InterruptedException {
        Path main = statsdDir.resolve("stats.js");
        if (!Files.exists(main)) {
            throw new IllegalStateException("Etsy statsd not found at " + main
                    + " (scripts/bench-e2e installs it with: npm install statsd@0.9.0)");
        }
        Files.createDirectories(dir);
        this.port = RiffleProcess.freeUdpPort();
        int mgmt = RiffleProcess.freePort();
        Path config = dir.resolve("statsd-config.js");
        Files.writeString(config, String.join("\n",
                "{",
                "  address: \"127.0.0.1\",",
                "  port: " + port + ",",
                "  mgmt_address: \"127.0.0.1\",",
                "  mgmt_port: " + mgmt + ",",
                "  graphiteHost: \"" + graphiteHost + "\",",
                "  graphitePort: " + graphitePort + ",",
                "  flushInterval: " + flushMillis + ",",
                "  percentThreshold: [50, 75, 95, 99],",
                "  deleteIdleStats: true,",
                "  backends: [\"./backends/graphite\"],",
                "  graphite: { legacyNamespace: false }",
                "}", ""), StandardCharsets.UTF_8);
        this.logFile = dir.resolve("statsd.log");
        process = new ProcessBuilder("node", main.toString(), config.toString())
                .directory(statsdDir.toFile()).redirectErrorStream(true).start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "statsd-reaper"));
        Object lock = this;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
                 PrintWriter log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true)) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.println(line);
                    if (line.contains("server is up")) {
                        synchronized (lock) {
                            up = true;
                            lock.notifyAll();
                        }
                    }
                }
            } catch (IOException e) {
                System.err.println("bench-e2e: reading statsd's output failed: " + e);
            }
        }, "statsd-output");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (lock) {
            while (!up && process.isAlive() && System.nanoTime() < deadline) {
                lock.wait(100);
            }
        }
        if (!up) {
            process.destroyForcibly();
            throw new IllegalStateException("Etsy statsd did not start within 30 s; see " + logFile);
        }
    }

    /** The installed version, from its package.json. */
    static String version(Path statsdDir) {
        try {
            String json = Files.readString(statsdDir.resolve("package.json"));
            var m = java.util.regex.Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
            return m.find() ? m.group(1) : "?";
        } catch (IOException e) {
            return "?";
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
