package dev.riffle.sink;

import static dev.riffle.sink.SinkFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.testing.CarbonServer;
import dev.riffle.testing.WithKafka;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sink against a real Debian carbon-cache, read back with whisper-fetch. */
@Tag("slow")
@Timeout(value = 150, unit = TimeUnit.SECONDS) // a hang fails the test instead of the build
class GraphiteSinkCarbonTest extends WithKafka {
    /** Waits until carbon holds every expected point of every path, then compares them exactly. */
    static void assertStored(CarbonServer carbon, Map<String, Map<Long, Double>> expected, Duration timeout)
            throws IOException, InterruptedException {
        Map<String, long[]> ranges = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (Map.Entry<String, Map<Long, Double>> e : expected.entrySet()) {
            ranges.put(e.getKey(), new long[] {((TreeMap<Long, Double>) e.getValue()).firstKey() - 5,
                    ((TreeMap<Long, Double>) e.getValue()).lastKey() + 5});
            counts.put(e.getKey(), e.getValue().size());
        }
        // every path read back by one process per poll, rather than a whisper-fetch per path and poll
        Map<String, Map<Long, Double>> stored = carbon.awaitAllPoints(ranges, counts, timeout);
        for (Map.Entry<String, Map<Long, Double>> e : expected.entrySet()) {
            assertEquals(e.getValue(), stored.get(e.getKey()), "points of " + e.getKey() + "\ncarbon said:\n"
                    + tail(carbon.log()));
        }
    }

    private static String tail(String log) {
        return log.length() > 3000 ? log.substring(log.length() - 3000) : log;
    }

    @Test
    void pointsForManyPathsArriveWithTheirValuesAndTimestamps() throws Exception {
        try (CarbonServer carbon = new CarbonServer(dir.resolve("carbon-many")).start();
             SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            // the sink's own figures would add to the count (SinkSelfRouteTest checks them exactly)
            f.with(SinkKeys.GRAPHITE, carbon.endpoint()).with(SinkKeys.SELF_METRICS, false);
            GraphiteSink sink = f.startSink().lagEvery(SinkFixture.LAG_EVERY);
            double[] values = {0.0, -0.0, 1e-7, 2.5, -17.25, 1e21, 123456789012.0, 0.1, 1.0 / 3};
            Map<String, Map<Long, Double>> expected = new TreeMap<>();
            long first = SinkFixture.windowsAgo(60);
            for (int p = 0; p < 60; p++) {
                String path = "production.box" + p + ".search-time.value.99";
                Map<Long, Double> points = new TreeMap<>();
                for (int w = 0; w < 4; w++) {
                    double value = values[(p + w) % values.length] * (p + 1);
                    long t = first + 5L * (w * 7 + p % 7);
                    f.send(path, value, t);
                    points.put(t, value == 0 ? 0.0 : value);
                }
                expected.put(path, points);
            }
            long t = SinkFixture.windowsAgo(3);
            f.send("staging.web 1.disk /var.used", 42.0, t); // sanitised on the way
            expected.put("staging.web_1.disk__var.used", new TreeMap<>(Map.of(t, 42.0)));
            f.flush();

            assertStored(carbon, expected, Duration.ofSeconds(60));
            assertTrue(await(() -> sink.pointsWritten() == 241, Duration.ofSeconds(10)), sink.status());
            assertTrue(await(() -> sink.lag() == 0, Duration.ofSeconds(15)), sink.status());
        }
    }

    /** Carbon's outage, 12 s by default (two sink windows and more); {@code -Driffle.test.carbon_outage_s=30}. */
    private static final long CARBON_OUTAGE_S = Long.getLong("riffle.test.carbon_outage_s", 12);

    @Test
    void carbonDownForAWhileLosesNothing() throws Exception {
        try (CarbonServer carbon = new CarbonServer(dir.resolve("carbon-outage")).start();
             SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            f.with(SinkKeys.GRAPHITE, carbon.endpoint())
                    .with(SinkKeys.COMMIT_DELAY_MS, 2000)
                    .with(SinkKeys.MAX_BACKOFF_MS, 2000)
                    .with(SinkKeys.WRITE_TIMEOUT_MS, 2000)
                    .with(SinkKeys.PRINT_POINTS, true);
            GraphiteSink sink = f.startSink();
            Map<String, Map<Long, Double>> expected = new TreeMap<>();
            long base = SinkFixture.windowsAgo(2_000);
            int[] tick = {0};
            Runnable produceTick = () -> {
                for (int p = 0; p < 10; p++) {
                    String path = "outage.path" + p;
                    long t = base + 5L * tick[0];
                    double value = tick[0] * 10 + p;
                    f.send(path, value, t);
                    expected.computeIfAbsent(path, k -> new TreeMap<>()).put(t, value);
                }
                tick[0]++;
                f.flush();
            };
            long until = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < until) {
                produceTick.run();
                Thread.sleep(100);
            }
            carbon.stop();
            long stoppedAt = System.currentTimeMillis() / 1000;
            long downUntil = System.nanoTime() + CARBON_OUTAGE_S * 1_000_000_000L;
            long maxLag = 0;
            long printedAtStop = f.printed().lines().count();
            int ticksAtStop = tick[0];
            while (System.nanoTime() < downUntil) {
                produceTick.run();
                maxLag = Math.max(maxLag, sink.lag());
                Thread.sleep(100);
            }
            int producedWhileDown = (tick[0] - ticksAtStop) * 10;
            // stdout does not wait for carbon: the points of the outage were printed as they came
            long printedWhileDown = f.printed().lines().count() - printedAtStop;
            assertTrue(printedWhileDown > producedWhileDown / 2, printedWhileDown + " of " + producedWhileDown);
            assertFalse(sink.connected(), sink.status());
            assertTrue(sink.status().contains("down"), sink.status());
            assertTrue(maxLag > producedWhileDown / 2, "lag grows while carbon is down: " + maxLag + " of "
                    + producedWhileDown);
            long restartedAt = System.currentTimeMillis() / 1000;
            carbon.start();
            until = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < until) {
                produceTick.run();
                Thread.sleep(100);
            }
            assertTrue(await(sink::connected, Duration.ofSeconds(10)), sink.status());
            assertStored(carbon, expected, Duration.ofSeconds(40));
            // the sink's own figures of the outage came through Kafka like the points: none of its windows missing
            // (the windows that ended while carbon was down: their figure was taken then)
            int outageWindows = (int) ((restartedAt - stoppedAt) / 5) - 1;
            Map<Long, Double> selfDuringOutage = carbon.awaitPoints("riffle.sink.test.carbon-connected",
                    stoppedAt, restartedAt - 5, outageWindows, Duration.ofSeconds(30));
            assertTrue(selfDuringOutage.size() >= outageWindows, selfDuringOutage.toString());
            assertTrue(selfDuringOutage.containsValue(0.0), "carbon was down then: " + selfDuringOutage);
            assertFalse(sink.status().contains("STOPPED"), sink.status());
            assertEquals(1, sink.outages(), sink.status());
            // stdout is the second target: every point printed exactly once, however often carbon got it
            List<String> printed = f.printed().lines().sorted().toList();
            List<String> lines = new ArrayList<>();
            expected.forEach((path, points) -> points.forEach((t, v) ->
                    lines.add(path + " " + PlaintextLine.decimal(v) + " " + t)));
            lines.sort(null);
            assertEquals(lines, printed);
        }
    }

    @Test
    void aCarbonThatNeverReadsCostsTimeoutsNotMemoryAndTheSinkRecovers() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!blackHole.isClosed()) {
                try {
                    Socket s = blackHole.accept(); // and never read
                    synchronized (accepted) {
                        accepted.add(s);
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, "black-hole");
        acceptor.setDaemon(true);
        acceptor.start();
        try (SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            f.with(SinkKeys.GRAPHITE, "127.0.0.1:" + blackHole.getLocalPort())
                    .with(SinkKeys.WRITE_TIMEOUT_MS, 1000)
                    .with(SinkKeys.MAX_BACKOFF_MS, 1000)
                    .with(SinkKeys.COMMIT_DELAY_MS, 2000);
            Map<String, Map<Long, Double>> expected = new TreeMap<>();
            long base = SinkFixture.windowsAgo(5_000);
            for (int w = 0; w < 1_000; w++) {
                for (int p = 0; p < 40; p++) { // 40,000 points, about 2.5 MB of lines
                    String path = "blackhole.some-service.path" + p;
                    f.send(path, w + p / 100.0, base + 5L * w);
                    expected.computeIfAbsent(path, k -> new TreeMap<>()).put(base + 5L * w, w + p / 100.0);
                }
            }
            f.flush();
            GraphiteSink sink = f.startSink().lagEvery(SinkFixture.LAG_EVERY);
            assertTrue(await(() -> sink.status().contains("write timed out"), Duration.ofSeconds(20)), sink.status());
            long observeUntil = System.nanoTime() + 6_000_000_000L;
            while (System.nanoTime() < observeUntil) {
                assertTrue(sink.bufferedBytes() <= SinkKeys.BATCH_BYTES.defaultValue(), "batch stays bounded");
                assertTrue(sink.unconfirmedWrites() <= 2000 / OffsetLedger.COALESCE_MS + 1, "ledger stays bounded");
                assertFalse(sink.status().contains("STOPPED"), sink.status());
                Thread.sleep(100);
            }
            assertTrue(await(() -> sink.lag() > 30_000, Duration.ofSeconds(10)),
                    "nothing the black hole swallowed was committed: " + sink.status());

            // a real carbon takes over the address
            int port = blackHole.getLocalPort();
            blackHole.close();
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close();
                }
            }
            try (CarbonServer carbon = new CarbonServer(dir.resolve("carbon-recovered"), port).start()) {
                assertTrue(await(sink::connected, Duration.ofSeconds(15)), sink.status());
                assertStored(carbon, expected, Duration.ofSeconds(60));
                assertTrue(await(() -> sink.lag() == 0, Duration.ofSeconds(15)), sink.status());
                assertEquals(1, sink.outages(), "stalling again after each reconnect is still one outage");
            }
        } finally {
            blackHole.close();
        }
    }
}
