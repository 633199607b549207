package dev.riffle.sink;

import dev.riffle.kafka.EmbeddedKafka;
import dev.riffle.testing.CarbonServer;
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
 * carbon-cache. Each run uses a fresh consumer group and reads the whole topic.
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
