package dev.riffle.sink;

import dev.riffle.kafka.EmbeddedKafka;
import dev.riffle.testing.CarbonServer;
import dev.riffle.testing.RemoteWriteServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code scripts/bench-sink}: preloads N points into a points topic on an in-process broker, then times the sink
 * writing all of them (1) into a drain that only reads and discards (the sink's own ceiling) and (2) into a real
 * carbon-cache, then (3) with the Prometheus writer alone into a real Prometheus and (4) a real VictoriaMetrics
 * (remote write). Each run uses a fresh consumer group and reads the whole topic.
 */
public final class SinkBench {
    private SinkBench() {
    }

    public static void main(String[] args) throws Exception {
        int points = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int paths = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        Path dir = Files.createTempDirectory("bench-sink");
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start()) {
            SinkFixture f = new SinkFixture(kafka.bootstrapServers());
            long base = SinkFixture.windowsAgo(points / paths + 10);
            long t0 = System.nanoTime();
            for (int i = 0; i < points; i++) {
                f.send("bench.host" + (i % paths) + ".service.rate-per-second", i * 0.25, base + 5L * (i / paths));
            }
            f.flush();
            System.out.printf(Locale.ROOT, "preloaded %,d points over %,d paths in %.1f s%n", points, paths,
                    (System.nanoTime() - t0) / 1e9);
            try (Drain drain = new Drain()) {
                report("drain (reads and discards)", run(f, "127.0.0.1:" + drain.port(), points), points);
            }
            try (CarbonServer carbon = new CarbonServer(dir.resolve("carbon")).start()) {
                report("carbon-cache (plaintext)", run(f, carbon.endpoint(), points), points);
            }
            try (RemoteWriteServer prom = RemoteWriteServer.prometheus(dir.resolve("prom"), "3h").start()) {
                report("prometheus 2.42 remote write", runRemoteWrite(f, prom.writeUrl(), points), points);
            }
            try (RemoteWriteServer vm = RemoteWriteServer.victoriaMetrics(dir.resolve("vm"), null, null).start()) {
                report("victoria-metrics 1.79 rw", runRemoteWrite(f, vm.writeUrl(), points), points);
            }
            f.close();
        }
    }

    /** Seconds from the sink's start until it has written every point; a new consumer group each time. */
    private static double run(SinkFixture f, String endpoint, int points) throws InterruptedException {
        f.with(SinkKeys.GRAPHITE, endpoint).with(SinkKeys.GROUP_ID, "bench-" + System.nanoTime())
                .with(SinkKeys.SELF_METRICS, false).with(SinkKeys.FLUSH_MS, 100);
        long t0 = System.nanoTime();
        GraphiteSink sink = f.startSink();
        if (!SinkFixture.await(() -> sink.pointsWritten() >= points, Duration.ofMinutes(10))) {
            throw new IllegalStateException("not done after 10 minutes: " + sink.status());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        sink.close();
        return seconds;
    }

    /** The same with the Prometheus writer as its only target (carbon off), a new consumer group each time. */
    private static double runRemoteWrite(SinkFixture f, String url, int points) throws InterruptedException {
        f.with(SinkKeys.GRAPHITE, "none").with(SinkKeys.GROUP_ID, "bench-" + System.nanoTime())
                .with(SinkKeys.SELF_METRICS, false).with(SinkKeys.FLUSH_MS, 100).with(SinkKeys.PROMETHEUS_URL, url);
        long t0 = System.nanoTime();
        PrometheusTarget target = (PrometheusTarget) PrometheusTarget.configured(f.config()).get(0);
        GraphiteSink sink = f.startSink(java.util.List.of(target));
        if (!SinkFixture.await(() -> sink.pointsWritten() >= points, Duration.ofMinutes(10))) {
            throw new IllegalStateException("not done after 10 minutes: " + target.describe());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        sink.close();
        if (target.samplesStored() < points || target.samplesRefused() > 0) {
            throw new IllegalStateException("not every sample stored: " + target.describe());
        }
        System.out.printf(Locale.ROOT, "  %s, %,d requests%n", target.describe(), target.requests());
        return seconds;
    }

    private static void report(String target, double seconds, int points) {
        System.out.printf(Locale.ROOT, "%-28s %,10d points in %6.2f s = %,9.0f points/s%n", target, points, seconds,
                points / seconds);
    }

    /** A TCP endpoint that reads everything and keeps nothing. */
    private static final class Drain implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        Drain() throws IOException {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[1 << 16];
                while (!server.isClosed()) {
                    try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                        while (in.read(buf) >= 0) {
                            // discard
                        }
                    } catch (IOException e) {
                        // next connection, or closed
                    }
                }
            }, "drain");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
