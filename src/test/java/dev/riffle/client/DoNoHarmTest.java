package dev.riffle.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Whatever happens to the bridge, the application's calls return at once and never throw. */
class DoNoHarmTest {
    /** Far above what 10,000 enqueues cost, far below what a blocked call would show. */
    private static final long CALLS_BOUND_MILLIS = 2_000;
    private static final long CLOSE_BOUND_MILLIS = 3_000;

    @ParameterizedTest
    @EnumSource(Riffle.Protocol.class)
    void closedPort(Riffle.Protocol protocol) throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        try (CapturedLog log = new CapturedLog()) {
            Riffle metrics = Riffle.builder().bridge("127.0.0.1", closed).protocol(protocol).build();
            fireEveryKind(metrics, 10_000);
            if (protocol == Riffle.Protocol.TCP) {
                assertEventually(() -> metrics.failed() > 0, "refused connections count as failed");
            }
            closeWithinBound(metrics);
            assertTrue(log.lines().size() <= 2, "at most a line a minute: " + log.lines());
        }
    }

    @ParameterizedTest
    @EnumSource(Riffle.Protocol.class)
    void unresolvableHost(Riffle.Protocol protocol) throws Exception {
        try (CapturedLog log = new CapturedLog()) {
            Riffle metrics = Riffle.builder().bridge("no-such-bridge.invalid", 5555).protocol(protocol).build();
            fireEveryKind(metrics, 10_000);
            assertEventually(() -> metrics.failed() > 0, "events that cannot be sent count as failed");
            closeWithinBound(metrics);
            assertEquals(0, metrics.sent());
            assertTrue(log.lines().size() <= 2, "at most a line a minute: " + log.lines());
            assertTrue(log.lines().get(0).contains("no-such-bridge.invalid"), log.lines().toString());
        }
    }

    @Test
    void fullQueueDropsAndCounts() {
        Riffle metrics = new Riffle(new ClientSettings(true, "127.0.0.1", 5555, Riffle.Protocol.UDP, null, "h",
                100, 1400, 20), false); // nobody drains this queue
        fireEveryKind(metrics, 1_000); // 7 events each
        assertEquals(100, metrics.queued());
        assertEquals(7_000 - 100, metrics.dropped());
    }

    /** A bridge that accepts TCP connections but never reads: the sender gets stuck, the application does not. */
    @Test
    void bridgeThatStopsReading() throws Exception {
        try (ServerSocket stuck = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             CapturedLog log = new CapturedLog()) {
            Riffle metrics = Riffle.builder().bridge("127.0.0.1", stuck.getLocalPort())
                    .protocol(Riffle.Protocol.TCP).queueCapacity(1_000).build();
            for (int round = 0; round < 20; round++) {
                fireEveryKind(metrics, 10_000);
            }
            assertTrue(metrics.dropped() > 0, metrics.toString());
            closeWithinBound(metrics);
            assertEquals(0, metrics.sent(), "nothing was answered");
            // counted and reported before close returned, not later into whatever the application does next
            assertTrue(metrics.failed() > 0, metrics.toString());
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("lost")), log.lines().toString());
        }
    }

    @Test
    void nonFiniteValuesAndMissingNamesAreHarmless() throws Exception {
        try (DatagramCatcher bridge = new DatagramCatcher(); CapturedLog log = new CapturedLog()) {
            Riffle metrics = Riffle.builder().bridge("127.0.0.1", bridge.port()).build();
            metrics.histogram("h").record(Double.NaN);
            metrics.gauge("g").report(Double.POSITIVE_INFINITY);
            metrics.timer("t").record(Double.NEGATIVE_INFINITY); // its start meter is still a good event
            metrics.meter(null).inc();
            metrics.gauge(" ").report(1);
            try (Timer.Sample t = metrics.timer(null).start()) {
                metrics.occurrence("").mark();
            }
            metrics.close();
            assertEquals(3, metrics.invalid());
            assertEquals(1, metrics.sent());
            assertEquals(4, log.lines().size(), "one line per nameless instrument: " + log.lines());
        }
    }

    private static void fireEveryKind(Riffle metrics, int times) {
        Meter meter = metrics.meter("m");
        Occurrence occurrence = metrics.occurrence("o");
        Histogram histogram = metrics.histogram("h");
        Gauge gauge = metrics.gauge("g");
        Timer timer = metrics.timer("t");
        long t0 = System.nanoTime();
        for (int i = 0; i < times; i++) {
            meter.inc();
            occurrence.mark();
            histogram.record(i);
            gauge.report(i);
            try (Timer.Sample t = timer.start()) {
                meter.inc(i);
            }
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(millis < CALLS_BOUND_MILLIS, times * 7 + " calls took " + millis + " ms");
    }

    private static void closeWithinBound(Riffle metrics) {
        long t0 = System.nanoTime();
        metrics.close();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(millis < CLOSE_BOUND_MILLIS, "close took " + millis + " ms");
    }

    private static void assertEventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), what);
    }
}
