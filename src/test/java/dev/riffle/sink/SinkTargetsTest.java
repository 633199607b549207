package dev.riffle.sink;

import static dev.riffle.sink.SinkFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.GraphiteNames;
import dev.riffle.core.Point;
import dev.riffle.core.PointTarget;
import dev.riffle.core.SeriesId;
import dev.riffle.testing.WithKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sink's seam: every record reaches each {@link PointTarget} exactly once, in carbon's outage too (the sink
 * reads on for them and rewinds only for carbon), a failing target stops nothing, the sink's own figures reach the
 * targets, and stdout leaves Riffle's own figures out unless {@code print_self}.
 */
@Tag("slow")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SinkTargetsTest extends WithKafka {

    /** Counts what it is handed, per path and time. */
    private static final class Counting implements PointTarget {
        final Map<String, Integer> seen = new HashMap<>();
        int flushes;

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public synchronized boolean accept(SeriesId series, Point point) {
            String path = GraphiteNames.of(series);
            seen.merge(path + " " + point.value() + " " + point.timestampSeconds(), 1, Integer::sum);
            return true;
        }

        @Override
        public synchronized boolean flush() {
            flushes++;
            return true;
        }

        synchronized long points(String prefix) {
            return seen.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(Map.Entry::getValue)
                    .sum();
        }

        synchronized boolean eachOnce() {
            return seen.values().stream().allMatch(n -> n == 1);
        }
    }

    /** A carbon that can go down: closing drops the listening socket and every connection. */
    private static final class Carbon implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final List<Socket> connections = new ArrayList<>();
        final List<String> lines = new ArrayList<>();

        Carbon() throws IOException {
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        synchronized (this) {
                            connections.add(s);
                        }
                        Thread r = new Thread(() -> read(s), "carbon-read");
                        r.setDaemon(true);
                        r.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "carbon-accept");
            t.setDaemon(true);
            t.start();
        }

        private void read(Socket s) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (this) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                // closed
            }
        }

        synchronized long count(String prefix) {
            return lines.stream().filter(l -> l.startsWith(prefix)).count();
        }

        @Override
        public synchronized void close() throws IOException {
            server.close();
            for (Socket s : connections) {
                s.close();
            }
        }
    }

    @Test
    void targetsGetEveryRecordOnceAlsoWhileCarbonIsDown() throws Exception {
        Counting counting = new Counting();
        PointTarget broken = new PointTarget() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public boolean accept(SeriesId series, Point point) {
                String path = GraphiteNames.of(series);
                throw new IllegalStateException("a bug in a target");
            }
        };
        Carbon carbon = new Carbon();
        try (SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
            f.with(SinkKeys.GRAPHITE, "127.0.0.1:" + carbon.server.getLocalPort()).with(SinkKeys.MAX_BACKOFF_MS, 200)
                    .with(SinkKeys.SELF_METRICS, true);
            GraphiteSink sink = f.startSink(List.of(broken, counting));
            long t = SinkFixture.windowsAgo(3);
            for (int i = 0; i < 100; i++) {
                f.send("production.box" + i + ".foo.rate-per-second", i, t);
            }
            f.flush();
            // the broken target stops neither carbon nor the other target
            assertTrue(await(() -> carbon.count("production.") == 100, Duration.ofSeconds(30)), sink.status());
            assertTrue(await(() -> counting.points("production.") == 100, Duration.ofSeconds(10)));

            // carbon goes away: the targets still get each new point, once, however often the sink retries
            carbon.close();
            for (int i = 0; i < 100; i++) {
                f.send("production.box" + i + ".foo.rate-per-second", i, t + 5);
            }
            f.flush();
            assertTrue(await(() -> counting.points("production.") == 200, Duration.ofSeconds(30)),
                    counting.points("production.") + " of 200; " + sink.status());
            assertTrue(await(() -> !sink.connected(), Duration.ofSeconds(10)), sink.status());
            Thread.sleep(1500); // several reconnect attempts and polls while carbon is down
            assertEquals(200, counting.points("production."));
            assertTrue(counting.eachOnce(), counting.seen.toString());
            assertTrue(counting.flushes > 0);
            // the sink's own figures reach the targets too (each 5 s window)
            assertTrue(await(() -> counting.points("riffle.sink.test.") > 0, Duration.ofSeconds(15)),
                    counting.seen.keySet().toString());
            assertTrue(sink.running(), sink.status());
            assertEquals(100, carbon.count("production.")); // nothing more reached carbon: it is down
            assertTrue(await(() -> sink.lag() > 0, Duration.ofSeconds(15)), sink.status()); // what carbon still owes
        }
    }

    @Test
    void stdoutLeavesRifflesOwnFiguresOutUnlessAsked() throws Exception {
        for (boolean printSelf : new boolean[] {false, true}) {
            Counting counting = new Counting();
            try (SinkFixture f = new SinkFixture(kafka.bootstrapServers())) {
                f.with(SinkKeys.GRAPHITE, "none").with(SinkKeys.PRINT_POINTS, true)
                        .with(SinkKeys.PRINT_SELF, printSelf);
                f.startSink(List.of(counting));
                long t = SinkFixture.windowsAgo(2);
                f.send("riffle.bridge.events-received.rate-per-second", 3, t);
                f.send("riffle.late-events.rate-per-second", 0, t);
                f.send("production.web1.page-views.rate-per-second", 2.5, t);
                f.flush();
                assertTrue(await(() -> counting.points("") == 3, Duration.ofSeconds(30)));
                assertTrue(await(() -> f.printed().contains("production.web1.page-views.rate-per-second 2.5 " + t),
                        Duration.ofSeconds(10)), f.printed());
                List<String> printed = new ArrayList<>(f.printed().lines().toList());
                assertEquals(printSelf, printed.contains("riffle.bridge.events-received.rate-per-second 3.0 " + t),
                        printed.toString());
                assertEquals(printSelf ? 3 : 1, printed.size(), printed.toString());
                if (!printSelf) {
                    assertFalse(printed.stream().anyMatch(l -> l.startsWith("riffle.")), printed.toString());
                }
            }
        }
    }
}
