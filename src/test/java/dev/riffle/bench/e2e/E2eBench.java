package dev.riffle.bench.e2e;

import dev.riffle.testing.CarbonServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end benchmark ({@code scripts/bench-e2e}; never part of the test suite): a load generator in this JVM
 * drives {@code riffle run} in its own JVM over Riemann UDP, Riemann TCP and statsd, step by step (series count x
 * rate x protocol), into a counting Graphite listener; then the same statsd steps against Etsy statsd; then one
 * step into a real carbon-cache. Writes a Markdown table and an SVG plot under {@code bench-results/}.
 * Options: see {@link Options} and the header of scripts/bench-e2e.
 */
public final class E2eBench {
    private static final int WINDOW_SECONDS = 5;
    /** a point at the listener this long after its window's end is two windows behind its time */
    private static final long SINK_BEHIND_MS = 5_000;
    private static final long QUIET_MILLIS = 1_000;
    private static final long DRAIN_TIMEOUT_MILLIS = 30_000;
    /** The carbon-cache step: carbon and a second riffle start, a step, the read-back. */
    private static final int CARBON_STEP_SECONDS = 35;
    /** How long past its budget a run may go before the watchdog writes what there is and stops it. */
    private static final int WATCHDOG_GRACE_SECONDS = 30;
    /** Series of a burst step: few, so that the burst tests the receive path, not closing windows. */
    private static final int BURST_SERIES = 10;
    private final String loadAtStart = Environment.loadAverage();

    private final Options o;
    private final Path root;
    private final Path runDir;
    private final long started = System.nanoTime();
    private final List<StepResult> results = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    /** per reported riffle step: the points topic's records and the alert stage's lag (issue 19) */
    private final List<Report.TopicRow> topicRows = new ArrayList<>();
    /** the points topic of the riffle of the reported steps (null for the carbon step's riffle) */
    private PointsTopic pointsTopic;
    private int stepNumber;
    private boolean written;
    private RiffleProcess.Status lastStatus;

    private E2eBench(Options o, Path root, Path runDir) {
        this.o = o;
        this.root = root;
        this.runDir = runDir;
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-e2e: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        Path root = Path.of("").toAbsolutePath();
        Path runDir = Files.createTempDirectory("riffle-e2e-");
        E2eBench bench = new E2eBench(o, root, runDir);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(o.budgetSeconds + WATCHDOG_GRACE_SECONDS));
                log("watchdog: still running " + WATCHDOG_GRACE_SECONDS + " s after the budget; writing what there "
                        + "is and stopping");
                bench.notes.add("stopped by the watchdog " + WATCHDOG_GRACE_SECONDS + " s after the time budget");
                bench.write();
                System.exit(1); // the shutdown hooks stop riffle, statsd and carbon
            } catch (InterruptedException | IOException e) {
                // the run ended first
            }
        }, "bench-e2e-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        int exit = 0;
        try {
            bench.run();
        } catch (Exception e) {
            System.err.println("bench-e2e: stopped: " + e);
            e.printStackTrace();
            bench.notes.add("the run stopped early: " + e);
            exit = 1;
        }
        bench.write();
        deleteQuietly(runDir); // the broker's log and carbon's files: hundreds of MB after a full run
        System.exit(exit); // no leftover thread keeps the JVM alive
    }

    private void run() throws Exception {
        log("run folder " + runDir + "; budget " + o.budgetSeconds + " s");
        if (o.riffle) {
            riffleSteps();
        }
        if (o.etsy && o.protocols.contains(Sender.Protocol.STATSD)) {
            etsySteps();
        }
        if (o.carbon) {
            carbonStep();
        }
    }

    // ---- Riffle ----

    private Map<String, String> riffleEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("RIFFLE_INGEST_STATSD_HOST", "bench");
        env.put("RIFFLE_INGEST_STATSD_ENVIRONMENT", Workload.ENVIRONMENT);
        // the bridge's self-metric events would go through the events topic with the benchmark's: keep them out,
        // so that "to kafka" and "events" are the benchmark's events alone
        env.put("RIFFLE_INGEST_SELF_METRICS_SECONDS", "0");
        if (o.alertRules > 0) {
            env.put("RIFFLE_ALERTS_RULES", AlertRules.yaml(o.alertRules));
        }
        env.putAll(o.riffleEnv);
        return env;
    }

    private void riffleSteps() throws Exception {
        try (CountingGraphite listener = new CountingGraphite(CountingGraphite.Dialect.RIFFLE, WINDOW_SECONDS)) {
            listener.dumpTo(rawDir().resolve("riffle-points.txt"), o.dumpLines);
            long t0 = System.nanoTime();
            lastStatus = null;
            RiffleProcess riffle = new RiffleProcess(root.resolve("scripts/riffle"), runDir.resolve("riffle"),
                    listener.endpoint(), o.riffleJavaOpts, riffleEnv());
            log(String.format(Locale.ROOT, "riffle run up in %.1f s (pid %d, kafka %s)",
                    (System.nanoTime() - t0) / 1e9, riffle.pid(), riffle.kafkaBootstrap()));
            Map<CountingGraphite.Tally, StepResult> reported = new LinkedHashMap<>();
            try (riffle; ProcWatch watch = new ProcWatch(riffle.pid(), riffle.gcLog());
                 PointsTopic topic = new PointsTopic(riffle.kafkaBootstrap(),
                         riffleEnv().getOrDefault("RIFFLE_TOPICS_POINTS", "riffle-points"))) {
                pointsTopic = topic;
                // an unreported step first, so that the first reported one is not judged on a cold JIT
                riffleStep(riffle, watch, listener, Sender.Protocol.TCP, 10, Math.min(o.rates.get(0), 5_000),
                        Math.min(o.seconds, 4), "warm", 0);
                for (int series : o.series) {
                    for (long rate : o.rates) {
                        for (Sender.Protocol p : o.protocols) {
                            if (overBudget(reserveAfterRiffle())) {
                                notes.add("skipped (over the time budget): riffle " + p.label + " " + series
                                        + " series " + rate + "/s");
                                continue;
                            }
                            String tag = "e2e" + (++stepNumber);
                            CountingGraphite.Tally tally = listener.register(tag, 0);
                            StepResult r = riffleStep(riffle, watch, listener, p, series, rate, o.seconds, tag,
                                    tally);
                            results.add(r);
                            reported.put(tally, r);
                            log(line(r));
                        }
                    }
                }
                burstSteps(riffle, watch, listener, reported);
                latecomers(reported);
                List<String> warnings = riffle.warnings(20);
                if (!warnings.isEmpty()) {
                    notes.add("riffle logged " + warnings.size() + (warnings.size() == 20 ? "+" : "")
                            + " warnings after its start (all in bench-results/raw/riffle.log), the first: `" + warnings.get(0).replace('`', '\'') + "`");
                }
            } finally {
                pointsTopic = null;
                copyToRaw(riffle.logFile(), "riffle.log");
                copyToRaw(riffle.gcLog(), "riffle-gc.log");
            }
        }
    }

    /**
     * Issue 22: short bursts of one datagram per event (Riemann UDP, statsd) at high rates into the warm riffle,
     * {@code --burst-runs} times in a row, reporting per step what was sent, what the kernel dropped at the
     * socket and what the streams stage counted.
     */
    private void burstSteps(RiffleProcess riffle, ProcWatch watch, CountingGraphite listener,
                            Map<CountingGraphite.Tally, StepResult> reported) throws Exception {
        for (int run = 0; run < o.burstRuns; run++) {
            for (long rate : o.burstRates) {
                for (Sender.Protocol p : List.of(Sender.Protocol.UDP, Sender.Protocol.STATSD)) {
                    if (!o.protocols.contains(p)) {
                        continue;
                    }
                    if (overBudget(reserveAfterRiffle())) {
                        notes.add("skipped (over the time budget): riffle " + p.label + " burst " + rate + "/s");
                        continue;
                    }
                    String tag = "e2e" + (++stepNumber);
                    CountingGraphite.Tally tally = listener.register(tag, 0);
                    StepResult r = riffleStep(riffle, watch, listener, p, BURST_SERIES, rate, o.burstSeconds, tag,
                            tally, " burst");
                    results.add(r);
                    reported.put(tally, r);
                    log(line(r));
                }
            }
        }
    }

    /** Says which steps got points after they were reported (and so are not in their row), up to now. */
    private void latecomers(Map<CountingGraphite.Tally, StepResult> reported) {
        reported.forEach((tally, r) -> {
            long more = tally.points.sum() - r.points();
            if (more > 0) {
                notes.add(String.format(Locale.ROOT, "%s (%s, %,d series, %,d/s): %,d more points arrived after the "
                                + "step was reported, until riffle was stopped (meter fill-ins of the silent windows "
                                + "after it, and %,d all-hosts points); latency max then %,d ms", tally.tag, r.target(),
                        r.series(), r.rate(), more, tally.fleetPoints.sum() - r.fleetPoints(), tally.latencyMax()));
            }
        });
    }

    private StepResult riffleStep(RiffleProcess riffle, ProcWatch watch, CountingGraphite listener,
                                  Sender.Protocol protocol, int series, long rate, int seconds, String tag,
                                  int keep) throws Exception {
        return riffleStep(riffle, watch, listener, protocol, series, rate, seconds, tag,
                listener.register(tag, keep));
    }

    private StepResult riffleStep(RiffleProcess riffle, ProcWatch watch, CountingGraphite listener,
                                  Sender.Protocol protocol, int series, long rate, int seconds, String tag,
                                  CountingGraphite.Tally tally) throws Exception {
        return riffleStep(riffle, watch, listener, protocol, series, rate, seconds, tag, tally, "");
    }

    /** @param kind added to the target's name: " burst" for the burst steps */
    private StepResult riffleStep(RiffleProcess riffle, ProcWatch watch, CountingGraphite listener,
                                  Sender.Protocol protocol, int series, long rate, int seconds, String tag,
                                  CountingGraphite.Tally tally, String kind) throws Exception {
        Workload work = new Workload(tag, series);
        InetSocketAddress target = protocol == Sender.Protocol.STATSD ? riffle.statsd() : riffle.riemann();
        Sender sender = new Sender(protocol, target, protocol == Sender.Protocol.TCP ? o.tcpBatch : o.statsdLines,
                o.tcpInflight, o.tcpConnections);
        // the previous step's closing status holds for this one's start: it was drained, nothing was sent since
        RiffleProcess.Status before = lastStatus != null ? lastStatus : riffle.statusAfter(System.nanoTime(), 3_000);
        long kernel0 = ProcWatch.socketDrops(target.getPort());
        long self = ProcessHandle.current().pid();
        long selfTicks0 = ProcWatch.cpuTicks(self);
        ProcWatch.Mark mark = watch.mark();
        var topicMark = pointsTopic == null ? null : pointsTopic.mark();
        riffle.takeAlertLagPeak();
        Sender.Sent sent = sender.run(work, rate, seconds, tag.hashCode());
        long sendEnd = System.currentTimeMillis();
        long lastWindow = Math.floorDiv((sendEnd - 200) / 1000, WINDOW_SECONDS) * WINDOW_SECONDS;
        tally.lastWindow(lastWindow);
        // drained: a point of a later window has come (the meters' fill-in of the window after the last one, which
        // closes only after it), and no point of the step's own windows for a while
        boolean drained = await(() -> tally.maxTimestamp() > lastWindow
                && System.currentTimeMillis() - tally.lastRelevantArrival() >= QUIET_MILLIS, DRAIN_TIMEOUT_MILLIS);
        ProcWatch.Usage usage = watch.since(mark);
        double selfCores = (ProcWatch.cpuTicks(self) - selfTicks0) / 100.0 / usage.seconds();
        RiffleProcess.Status after = riffle.statusAfter(System.nanoTime(), 3_000);
        lastStatus = after;
        if (topicMark != null && !tag.equals("warm")) {
            topicRows.add(new Report.TopicRow(tag, protocol.label + kind, series, rate, pointsTopic.since(topicMark),
                    diff(after.alertPoints(), before.alertPoints()), riffle.takeAlertLagPeak(),
                    diff(after.alertBehind(), before.alertBehind()), tally.latencyAtLeast(SINK_BEHIND_MS)));
        }
        long kernel = diff(ProcWatch.socketDrops(target.getPort()), kernel0);
        if (!drained) {
            notes.add(tag + " (" + protocol.label + kind + ", " + series + " series, " + rate + "/s): the last "
                    + "window's "
                    + "points had not all arrived " + DRAIN_TIMEOUT_MILLIS / 1000 + " s after the load stopped; its "
                    + "row has the figures of that moment");
            settle(riffle);
        }
        if (usage.fullGcs() > 0 || usage.longestPauseMs() >= 200) {
            notes.add(String.format(Locale.ROOT, "%s (%s, %,d series, %,d/s): %d full collection(s) in the riffle "
                            + "JVM, longest GC pause %.0f ms", tag, protocol.label, series, rate, usage.fullGcs(),
                    usage.longestPauseMs()));
        }
        if (!riffle.alive()) {
            throw new IllegalStateException("riffle run exited; see " + riffle.logFile());
        }
        return new StepResult("riffle " + protocol.label + kind, series, rate, seconds, sent.events(),
                sent.events() / sent.seconds(),
                protocol == Sender.Protocol.TCP ? sent.okReplies() * o.tcpBatch : -1,
                diff(after.toKafka(), before.toKafka()), diff(after.streamsEvents(), before.streamsEvents()),
                diff(after.late(), before.late()), sent.meters(), Math.round(tally.meterEvents.sum()),
                protocol == Sender.Protocol.TCP ? -1 : kernel, tally.points.sum(), tally.fleetPoints.sum(),
                tally.latencyPercentile(50),
                tally.latencyPercentile(99), tally.latencyMax(), tally.fleetLatencyPercentile(99), usage.peakHeapMiB(),
                usage.liveHeapMiB(), usage.peakRssKiB() / 1024,
                usage.cores(), selfCores, drained ? "" : "not drained");
    }

    /**
     * After a step that did not drain: waits (at most 30 s) until two status lines a second apart show the same
     * events in Kafka and counted, so that the next step does not count this one's backlog.
     */
    private void settle(RiffleProcess riffle) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        RiffleProcess.Status previous = riffle.statusAfter(System.nanoTime(), 3_000);
        while (System.nanoTime() < deadline) {
            RiffleProcess.Status next = riffle.statusAfter(System.nanoTime(), 3_000);
            if (next.toKafka() == previous.toKafka() && next.streamsEvents() == previous.streamsEvents()) {
                lastStatus = next;
                return;
            }
            previous = next;
        }
        lastStatus = null;
        log("riffle did not settle within 30 s after an undrained step");
    }

    private static long diff(long after, long before) {
        return after < 0 || before < 0 ? -1 : after - before;
    }

    // ---- Etsy statsd ----

    private void etsySteps() throws Exception {
        Path statsdDir = root.resolve(o.statsdDir);
        try (CountingGraphite listener = etsyListener();
             EtsyStatsd etsy = new EtsyStatsd(statsdDir, runDir.resolve("statsd"), "127.0.0.1", listener.port(),
                     o.flushMillis);
             ProcWatch watch = new ProcWatch(etsy.pid(), null)) {
            log("Etsy statsd " + EtsyStatsd.version(statsdDir) + " up (pid " + etsy.pid() + ")");
            for (int series : o.series) {
                for (long rate : o.rates) {
                    if (overBudget(o.carbon ? CARBON_STEP_SECONDS : 0)) {
                        notes.add("skipped (over the time budget): etsy statsd " + series + " series " + rate + "/s");
                        continue;
                    }
                    StepResult r = etsyStep(etsy, watch, listener, series, rate, "e2e" + (++stepNumber));
                    results.add(r);
                    log(line(r));
                }
            }
        } finally {
            copyToRaw(runDir.resolve("statsd/statsd.log"), "etsy-statsd.log");
        }
    }

    private CountingGraphite etsyListener() throws IOException {
        CountingGraphite listener = new CountingGraphite(CountingGraphite.Dialect.ETSY, WINDOW_SECONDS);
        listener.dumpTo(rawDir().resolve("etsy-points.txt"), o.dumpLines);
        return listener;
    }

    private StepResult etsyStep(EtsyStatsd etsy, ProcWatch watch, CountingGraphite listener, int series, long rate,
                                String tag) throws Exception {
        Workload work = new Workload(tag, series);
        CountingGraphite.Tally tally = listener.register(tag, 0);
        Sender sender = new Sender(Sender.Protocol.STATSD, etsy.address(), o.statsdLines, 1, 1);
        double received0 = listener.etsyMetricsReceived.sum();
        long kernel0 = ProcWatch.socketDrops(etsy.address().getPort());
        long self = ProcessHandle.current().pid();
        long selfTicks0 = ProcWatch.cpuTicks(self);
        ProcWatch.Mark mark = watch.mark();
        Sender.Sent sent = sender.run(work, rate, o.seconds, tag.hashCode());
        long sendEnd = System.currentTimeMillis();
        // Etsy stamps a flush with its time rounded to the second: one stamped at or after this second was made
        // after the load stopped. Drained: such a flush said it received nothing more (the socket's backlog too).
        long flushAfter = (sendEnd + 500 + 999) / 1000;
        tally.lastWindow(Long.MAX_VALUE);
        long timeout = 3L * o.flushMillis + 5_000;
        boolean drained = await(() -> {
            long[] flush = listener.etsyLastFlush.get();
            return flush[0] >= flushAfter && flush[1] == 0
                    && System.currentTimeMillis() - tally.lastRelevantArrival() >= 1_000;
        }, timeout);
        ProcWatch.Usage usage = watch.since(mark);
        double selfCores = (ProcWatch.cpuTicks(self) - selfTicks0) / 100.0 / usage.seconds();
        long kernel = diff(ProcWatch.socketDrops(etsy.address().getPort()), kernel0);
        if (!drained) {
            notes.add(tag + " (etsy statsd, " + series + " series, " + rate + "/s): no empty flush after the load "
                    + "within " + timeout / 1000 + " s (still working through what it received)");
        }
        long received = Math.round(listener.etsyMetricsReceived.sum() - received0);
        return new StepResult("etsy statsd", series, rate, o.seconds, sent.events(), sent.events() / sent.seconds(),
                -1, -1, received, -1, sent.meters(), Math.round(tally.counterEvents.sum()), kernel,
                tally.points.sum(), -1, tally.latencyPercentile(50), tally.latencyPercentile(99), tally.latencyMax(),
                -1, -1, -1, usage.peakRssKiB() / 1024, usage.cores(), selfCores, drained ? "" : "not drained");
    }

    // ---- carbon-cache ----

    private void carbonStep() throws Exception {
        if (overBudget(0)) {
            notes.add("skipped (over the time budget): the carbon-cache step");
            return;
        }
        try (CarbonServer carbon = new CarbonServer(runDir.resolve("carbon")).start();
             CountingGraphite listener = new CountingGraphite(CountingGraphite.Dialect.RIFFLE, WINDOW_SECONDS)) {
            lastStatus = null;
            RiffleProcess riffle = new RiffleProcess(root.resolve("scripts/riffle"), runDir.resolve("riffle-carbon"),
                    listener.endpoint() + "," + carbon.endpoint(), o.riffleJavaOpts, riffleEnv());
            try (riffle; ProcWatch watch = new ProcWatch(riffle.pid(), riffle.gcLog())) {
                String tag = "e2e" + (++stepNumber);
                CountingGraphite.Tally tally = listener.register(tag, 200_000);
                StepResult r = riffleStep(riffle, watch, listener, Sender.Protocol.TCP, o.carbonSeries,
                        o.carbonRate, o.seconds, tag, tally);
                String check = checkCarbon(carbon, tally);
                r = new StepResult(r.target() + " + carbon-cache", r.series(), r.rate(), r.seconds(), r.offered(),
                        r.offeredPerSecond(), r.acked(), r.inKafka(), r.counted(), r.late(), r.meterOffered(),
                        r.meterCounted(), r.kernelDrops(), r.points(), r.fleetPoints(), r.p50Ms(), r.p99Ms(),
                        r.maxMs(), r.fleetP99Ms(), r.peakHeapMiB(), r.liveHeapMiB(), r.peakRssMiB(), r.cores(), r.benchCores(),
                        (r.note().isEmpty() ? "" : r.note() + "; ") + check);
                results.add(r);
                log(line(r));
            } finally {
                copyToRaw(riffle.logFile(), "riffle-carbon.log");
            }
        }
    }

    /**
     * Reads back with whisper-fetch a sample of the paths whose points reached the listener (both endpoints got
     * every point, sink.mode all) and counts how many of those points carbon stored with the same value.
     */
    private String checkCarbon(CarbonServer carbon, CountingGraphite.Tally tally) throws Exception {
        Map<String, Map<Long, Double>> kept = tally.kept();
        List<String> paths = new ArrayList<>(kept.keySet());
        paths.sort(Comparator.naturalOrder());
        int sample = Math.min(o.carbonSample, paths.size());
        int expected = 0;
        int landed = 0;
        int stride = Math.max(1, paths.size() / Math.max(1, sample));
        int checked = 0;
        for (int i = 0; i < paths.size() && checked < sample; i += stride, checked++) {
            String path = paths.get(i);
            Map<Long, Double> sent = kept.get(path);
            long from = sent.keySet().stream().min(Long::compare).orElse(0L) - WINDOW_SECONDS;
            long until = sent.keySet().stream().max(Long::compare).orElse(0L) + WINDOW_SECONDS;
            Map<Long, Double> stored = carbon.awaitPoints(path, from, until, sent.size(),
                    Duration.ofSeconds(checked == 0 ? 30 : 5));
            for (Map.Entry<Long, Double> p : sent.entrySet()) {
                expected++;
                Double v = stored.get(p.getKey());
                if (v != null && Math.abs(v - p.getValue()) <= 1e-9 * Math.max(1, Math.abs(p.getValue()))) {
                    landed++;
                }
            }
        }
        String s = String.format(Locale.ROOT, "whisper-fetch: %,d of %,d points of %d sampled paths in carbon",
                landed, expected, checked);
        notes.add("carbon-cache step: " + s + "; carbon created " + carbon.paths().size() + " whisper files");
        return s;
    }

    // ---- helpers ----

    private interface Condition {
        boolean holds();
    }

    private static boolean await(Condition c, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            if (c.holds()) {
                return true;
            }
            Thread.sleep(200);
        }
        return c.holds();
    }

    /** True when a step started now would likely end the run after its budget, keeping {@code reserve} s. */
    private boolean overBudget(int reserveSeconds) {
        return (System.nanoTime() - started) / 1e9 > o.budgetSeconds - reserveSeconds;
    }

    /** What the Etsy steps and the carbon step take, roughly, so that the riffle steps leave them their time. */
    private int reserveAfterRiffle() {
        int etsy = o.etsy && o.protocols.contains(Sender.Protocol.STATSD)
                ? o.series.size() * o.rates.size() * (o.seconds + 3 * o.flushMillis / 2000 + 1) + 5 : 0;
        return etsy + (o.carbon ? CARBON_STEP_SECONDS : 0);
    }

    private static void log(String s) {
        System.err.println(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("HH:mm:ss"))
                + " bench-e2e: " + s);
    }

    private static String line(StepResult r) {
        return String.format(Locale.ROOT, "%s %,d series %,d/s: offered %,d, counted %s, lost %s, points %,d, "
                        + "p99 %s ms, %.2f cores", r.target(), r.series(), r.rate(), r.offered(),
                Report.count(r.counted()), Report.lost(r.lost(), r.offered()), r.points(), Report.count(r.p99Ms()),
                r.cores());
    }

    private Path rawDir() throws IOException {
        Path raw = root.resolve(o.out).resolve("raw");
        Files.createDirectories(raw);
        return raw;
    }

    private void copyToRaw(Path file, String name) {
        try {
            Path raw = rawDir();
            if (Files.exists(file)) {
                Files.copy(file, raw.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            log("could not keep " + file + ": " + e);
        }
    }

    private synchronized void write() throws IOException {
        if (written) {
            return;
        }
        written = true;
        List<StepResult> results = new ArrayList<>(this.results);
        results.sort(Comparator.comparingInt(StepResult::series).thenComparingLong(StepResult::rate)
                .thenComparing(r -> targetOrder(r.target())));
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String commit = Environment.commit(root);
        int cores = Runtime.getRuntime().availableProcessors();
        String base = "e2e-" + (o.label.isEmpty() ? "" : o.label + "-")
                + now.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmm'Z'")) + "-" + commit.replace("+", "-")
                + "-" + cores + "cores";
        Path dir = root.resolve(o.out);
        Files.createDirectories(dir);
        String title = "Riffle end to end" + (o.label.isEmpty() ? "" : " (" + o.label + ")") + ", "
                + now.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'")) + ", commit " + commit + ", "
                + cores + " cores shared by generator and server";
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        md.append(Environment.header(o, cores, (System.nanoTime() - started) / 1e9,
                EtsyStatsd.version(root.resolve(o.statsdDir)), loadAtStart));
        md.append("\n").append(Report.table(results)).append('\n');
        if (!topicRows.isEmpty()) {
            md.append(Report.topicTable(List.copyOf(topicRows))).append('\n').append(Report.TOPIC_DOC).append('\n');
        }
        List<String> notes = List.copyOf(this.notes);
        if (!notes.isEmpty()) {
            md.append("Notes:\n\n");
            for (String n : notes) {
                md.append("- ").append(n).append('\n');
            }
            md.append('\n');
        }
        md.append(Environment.COLUMNS_DOC);
        md.append("\n![throughput and latency](").append(base).append(".svg)\n");
        Files.writeString(dir.resolve(base + ".md"), md, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(base + ".svg"), Report.svg(results, title), StandardCharsets.UTF_8);
        System.out.println(md);
        log("wrote " + dir.resolve(base + ".md") + " and .svg");
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            log("could not delete " + dir + ": " + e);
        }
    }

    private static int targetOrder(String target) {
        String[] order = {"riffle riemann-udp", "riffle riemann-tcp", "riffle statsd", "etsy statsd",
            "riffle riemann-udp burst", "riffle statsd burst"};
        for (int i = 0; i < order.length; i++) {
            if (target.equals(order[i])) {
                return i;
            }
        }
        return order.length;
    }
}
