package dev.riffle.bench.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * A Graphite plaintext endpoint for the benchmark: a TCP server on loopback that reads {@code path value
 * timestamp} lines, as carbon's line receiver does, and stores nothing. It counts each point under the step whose
 * tag is the path's third segment (see {@link Workload}), and per step: the points, the sum of the per-host meters
 * times the window (= meter events counted by Riffle), the sum of Etsy statsd's counter counts, and the latency of
 * each point: its arrival here minus the end of the interval it covers ({@link Dialect}).
 *
 * <p>Bounded: at most {@code MAX_CONNECTIONS} connections at once (more wait in the accept queue), lines longer than
 * {@code MAX_LINE} bytes are skipped and counted as malformed, latencies go into a fixed-size HdrHistogram per step.
 * Lines of no registered step (Riffle's own {@code riffle.*} figures, Etsy's {@code statsd.*}) are counted apart;
 * Etsy's {@code metrics_received} counter is summed apart, as what Etsy statsd said it received.
 */
final class CountingGraphite implements AutoCloseable {
    static final int MAX_LINE = 4096;
    static final int MAX_CONNECTIONS = 64;
    private static final long MAX_LATENCY_MS = 3_600_000L;

    /** How a point's timestamp relates to the interval it covers. */
    enum Dialect {
        /** Riffle: the timestamp is the window's start; the window ends {@code windowSeconds} later. */
        RIFFLE,
        /** Etsy statsd: the timestamp is the flush time (rounded to a second), i.e. the end of the interval. */
        ETSY
    }

    /** What arrived for one step. */
    static final class Tally {
        final String tag;
        final LongAdder points = new LongAdder();
        final LongAdder fleetPoints = new LongAdder();
        final DoubleAdder meterEvents = new DoubleAdder();
        final DoubleAdder counterEvents = new DoubleAdder();
        private final Histogram latency = new Histogram(MAX_LATENCY_MS, 3);
        private final Histogram fleetLatency = new Histogram(MAX_LATENCY_MS, 3);
        private final AtomicLong lastWindowSeconds = new AtomicLong(Long.MAX_VALUE);
        private final AtomicLong lastRelevantArrival = new AtomicLong();
        private final AtomicLong maxTimestamp = new AtomicLong(Long.MIN_VALUE);
        private final Map<String, Map<Long, Double>> kept;
        private final int keepLimit;
        private int keptCount;

        Tally(String tag, int keepLimit) {
            this.tag = tag;
            this.keepLimit = keepLimit;
            this.kept = keepLimit > 0 ? new HashMap<>() : null;
        }

        synchronized void latency(long ms, boolean fleet) {
            long v = Math.max(0, Math.min(MAX_LATENCY_MS, ms));
            latency.recordValue(v);
            if (fleet) {
                fleetLatency.recordValue(v);
            }
        }

        /** p in 0..100 over the all-hosts points only; -1 when none arrived. */
        synchronized long fleetLatencyPercentile(double p) {
            return fleetLatency.getTotalCount() == 0 ? -1 : fleetLatency.getValueAtPercentile(p);
        }

        /** p in 0..100; -1 when no point arrived. */
        synchronized long latencyPercentile(double p) {
            return latency.getTotalCount() == 0 ? -1 : latency.getValueAtPercentile(p);
        }

        /** Points that arrived {@code ms} or more after their interval's end. */
        synchronized long latencyAtLeast(long ms) {
            return latency.getCountBetweenValues(ms, MAX_LATENCY_MS);
        }

        synchronized long latencyMax() {
            return latency.getTotalCount() == 0 ? -1 : latency.getMaxValue();
        }

        /** From now on only points of windows up to this one count as the step's own (fill-ins come later). */
        void lastWindow(long seconds) {
            lastWindowSeconds.set(seconds);
        }

        long maxTimestamp() {
            return maxTimestamp.get();
        }

        /** Wall-clock millis of the last point of a window up to {@link #lastWindow}. */
        long lastRelevantArrival() {
            return lastRelevantArrival.get();
        }

        synchronized Map<String, Map<Long, Double>> kept() {
            return kept == null ? Map.of() : Map.copyOf(kept);
        }

        private void keep(String path, long ts, double value) {
            if (kept == null) {
                return;
            }
            synchronized (this) {
                if (keptCount < keepLimit) {
                    kept.computeIfAbsent(path, p -> new HashMap<>()).put(ts, value);
                    keptCount++;
                }
            }
        }
    }

    private final ServerSocket server;
    private final Dialect dialect;
    private final int windowSeconds;
    private final LongSupplier clock;
    private final Map<String, Tally> steps = new ConcurrentHashMap<>();
    private final Semaphore connectionSlots = new Semaphore(MAX_CONNECTIONS);
    final LongAdder otherPoints = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder connections = new LongAdder();
    final DoubleAdder etsyMetricsReceived = new DoubleAdder();
    final DoubleAdder etsyBadLines = new DoubleAdder();
    /** Etsy statsd's last flush: its timestamp and the metrics it said it received since the one before. */
    final java.util.concurrent.atomic.AtomicReference<long[]> etsyLastFlush =
            new java.util.concurrent.atomic.AtomicReference<>(new long[] {Long.MIN_VALUE, -1});
    private java.io.PrintWriter dump;
    private long dumpLeft;

    CountingGraphite(Dialect dialect, int windowSeconds) throws IOException {
        this(dialect, windowSeconds, System::currentTimeMillis);
    }

    CountingGraphite(Dialect dialect, int windowSeconds, LongSupplier clock) throws IOException {
        this.dialect = dialect;
        this.windowSeconds = windowSeconds;
        this.clock = clock;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "counting-graphite");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String endpoint() {
        return "127.0.0.1:" + port();
    }

    /** Also writes the first {@code maxLines} lines, each after its arrival time in millis, to a file. */
    synchronized void dumpTo(java.nio.file.Path file, long maxLines) throws IOException {
        dump = new java.io.PrintWriter(java.nio.file.Files.newBufferedWriter(file, StandardCharsets.UTF_8));
        dumpLeft = maxLines;
    }

    private void dump(String text, long arrival) {
        if (dump == null) {
            return;
        }
        synchronized (this) {
            if (dumpLeft > 0) {
                dump.println(arrival + " " + text);
                dumpLeft--;
            }
        }
    }

    Tally register(String tag, int keepLimit) {
        Tally t = new Tally(tag, keepLimit);
        steps.put(tag, t);
        return t;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                connectionSlots.acquire();
                Socket s = server.accept();
                connections.increment();
                Thread reader = new Thread(() -> {
                    try (s; InputStream in = s.getInputStream()) {
                        read(in);
                    } catch (IOException ignored) {
                        // the connection ended
                    } finally {
                        connectionSlots.release();
                    }
                }, "counting-graphite-conn");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException | InterruptedException e) {
                connectionSlots.release();
                return;
            }
        }
    }

    /** Reads lines until the end of the stream; each chunk's lines get the chunk's arrival time. */
    void read(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        byte[] line = new byte[MAX_LINE];
        int lineLength = 0;
        boolean overlong = false;
        int n;
        while ((n = in.read(buf)) > 0) {
            long arrival = clock.getAsLong();
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    if (overlong) {
                        malformed.increment();
                    } else if (lineLength > 0) {
                        line(new String(line, 0, lineLength, StandardCharsets.UTF_8), arrival);
                    }
                    lineLength = 0;
                    overlong = false;
                } else if (lineLength < MAX_LINE) {
                    line[lineLength++] = b;
                } else {
                    overlong = true;
                }
            }
        }
    }

    /** Counts one plaintext line that arrived at {@code arrival} (wall-clock millis). */
    void line(String text, long arrival) {
        dump(text, arrival);
        String[] parts = text.trim().split(" ");
        if (parts.length != 3) {
            malformed.increment();
            return;
        }
        String path = parts[0];
        double value;
        long ts;
        try {
            value = Double.parseDouble(parts[1]);
            ts = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            malformed.increment();
            return;
        }
        String[] segments = path.split("\\.");
        Tally step = segments.length > 2 ? steps.get(segments[2]) : null;
        if (step == null) {
            otherPoints.increment();
            if (path.equals("stats.counters.statsd.metrics_received.count")) {
                etsyMetricsReceived.add(value);
                etsyLastFlush.set(new long[] {ts, Math.round(value)});
            } else if (path.equals("stats.counters.statsd.bad_lines_seen.count")) {
                etsyBadLines.add(value);
            }
            return;
        }
        step.points.increment();
        boolean fleet = "all-hosts".equals(segments[1]);
        if (fleet) {
            step.fleetPoints.increment();
        }
        long intervalEndMillis = dialect == Dialect.RIFFLE ? (ts + windowSeconds) * 1000L : ts * 1000L;
        step.latency(arrival - intervalEndMillis, fleet);
        step.maxTimestamp.accumulateAndGet(ts, Math::max);
        if (ts <= step.lastWindowSeconds.get()) {
            step.lastRelevantArrival.accumulateAndGet(arrival, Math::max);
        }
        step.keep(path, ts, value);
        if (dialect == Dialect.RIFFLE) {
            // per-host meters only: the all-hosts point of the same service is the same events again
            if (path.endsWith(".rate-per-second") && !"all-hosts".equals(segments[1])) {
                step.meterEvents.add(value * windowSeconds);
            }
        } else if (segments[1].equals("counters") && path.endsWith(".count")) {
            step.counterEvents.add(value);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (this) {
            if (dump != null) {
                dump.close();
            }
        }
    }
}
