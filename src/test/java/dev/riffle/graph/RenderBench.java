package dev.riffle.graph;

import dev.riffle.config.Config;
import dev.riffle.core.Point;
import dev.riffle.http.GraphsServer;
import dev.riffle.http.HttpKeys;
import dev.riffle.http.PipelineStatus;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code scripts/bench-render}: the recent store's memory and the render API's latency. Not a test: a measurement
 * to run by hand (the machine is shared, so the figures vary from run to run).
 *
 * <p>Paths are {@code bench.h<host>.s<service>.value}, 50 services per host. Values, per series by its number: 40 %
 * whole counts (0..100), 30 % rates with one decimal, 20 % a constant 0 (idle counters), 10 % full-precision
 * doubles (percentiles of durations): a guess at a typical mix, stated with the figures.
 */
public final class RenderBench {
    private RenderBench() {
    }

    public static void main(String[] args) throws Exception {
        int seriesCount = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int step = 5;
        int windows = minutes * 60 / step;
        int perHost = 50;
        int hosts = (seriesCount + perHost - 1) / perHost;
        long now = System.currentTimeMillis() / 1000;
        long first = now - Math.floorMod(now, step) - (long) windows * step;

        long before = usedHeap();
        // the path strings count: the store keeps the first instance of each (as it keeps the sink's)
        String[] paths = new String[seriesCount];
        for (int i = 0; i < seriesCount; i++) {
            paths[i] = "bench.h" + i / perHost + ".s" + i % perHost + ".value";
        }
        RecentStore store = new RecentStore(4L << 30, minutes * 60L + 60, step);
        Random random = new Random(1);
        long t0 = System.nanoTime();
        for (int w = 0; w < windows; w++) {
            long time = first + (long) w * step;
            for (int i = 0; i < seriesCount; i++) {
                store.accept(paths[i], new Point(value(i, random), time));
            }
        }
        double fillSeconds = (System.nanoTime() - t0) / 1e9;
        paths = null; // only the store's references remain
        long after = usedHeap();
        RecentStore.Stats stats = store.stats();
        long points = stats.points();
        double retained = after - before;
        System.out.printf(Locale.ROOT, "filled %,d series x %d windows (%,d points) in %.1f s (%,.0f points/s)%n",
                seriesCount, windows, points, fillSeconds, points / fillSeconds);
        System.out.printf(Locale.ROOT, "retained heap: %.1f MiB in all, %.1f MiB per 100k series, %.2f bytes/point "
                        + "(measured after full GCs)%n", retained / (1 << 20),
                retained / (1 << 20) * 100_000 / seriesCount, retained / points);
        System.out.printf(Locale.ROOT, "store's estimate: %.1f MiB, %.2f bytes/point%n",
                stats.bytes() / (double) (1 << 20), stats.bytes() / (double) points);

        Config config = Config.defaults(HttpKeys.ALL).with(HttpKeys.HTTP_PORT, 0);
        GraphsServer server = new GraphsServer(config, store, () -> new PipelineStatus(List.of()), "occurrences");
        server.start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            int queries = 300;
            long[] nanos = new long[queries];
            long bytes = 0;
            for (int q = -30; q < queries; q++) { // 30 to warm up
                String target = "bench.h" + random.nextInt(hosts) + ".*.value";
                URI uri = URI.create("http://127.0.0.1:" + server.port() + "/render?format=json&from=-1h&until=now"
                        + "&target=" + URLEncoder.encode(target, StandardCharsets.UTF_8));
                long s = System.nanoTime();
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                long took = System.nanoTime() - s;
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("render failed: " + new String(r.body(), StandardCharsets.UTF_8));
                }
                if (q >= 0) {
                    nanos[q] = took;
                    bytes += r.body().length;
                }
            }
            Arrays.sort(nanos);
            System.out.printf(Locale.ROOT, "render, 1 hour x 50 series over HTTP (%d queries, %,d bytes each): "
                            + "p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", queries, bytes / queries,
                    nanos[queries / 2] / 1e6, nanos[queries * 99 / 100] / 1e6, nanos[queries - 1] / 1e6);
        } finally {
            server.close();
        }
        System.out.println("(" + Runtime.getRuntime().availableProcessors() + " cores, shared with other work: "
                + "figures vary between runs)");
    }

    private static double value(int series, Random random) {
        return switch (series % 10) {
            case 0, 1, 2, 3 -> random.nextInt(101);
            case 4, 5, 6 -> Math.round(random.nextDouble() * 5000) / 10.0;
            case 7, 8 -> 0.0;
            default -> random.nextDouble() * 250;
        };
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
