package dev.riffle.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.alert.AlertKeys;
import dev.riffle.alert.Rule;
import dev.riffle.cli.TestKeys;
import dev.riffle.config.Config;
import dev.riffle.core.Event;
import dev.riffle.ingest.IngestCounters;
import dev.riffle.ingest.RiemannDecoder;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

/** The end-to-end benchmark's own parts: what it sends, how it counts and reports (the run itself is not a test). */
class E2eBenchPartsTest {

    @Test
    void riemannEventsHaveNoTimeAndTheStepTagInTheService() {
        Workload w = new Workload("e2e7", 1_000);
        assertEquals(10, w.hosts);
        assertEquals(100, w.services);
        ByteBuffer msg = ByteBuffer.allocate(4096);
        for (long e = 0; e < 10; e++) {
            w.appendRiemann(e, e == 9 ? 1234 : 10, msg);
        }
        List<Event> events = new RiemannDecoder(new IngestCounters())
                .decode(msg.array(), 0, msg.position(), 42L).events();
        assertEquals(10, events.size());
        Event first = events.get(0);
        assertEquals(42L, first.timeMicros()); // stamped with the arrival
        assertEquals("h0", first.host());
        assertEquals("e2e7 s0-meter", first.service());
        assertEquals(List.of("production", "meter"), first.tags());
        assertEquals(1.0, first.metric());
        assertEquals("e2e7 s9-gauge", events.get(9).service());
        assertEquals(123.4, events.get(9).metric());
    }

    @Test
    void statsdLinesUseTheStatsdTypes() {
        Workload w = new Workload("e2e3", 10);
        ByteBuffer out = ByteBuffer.allocate(256);
        w.appendStatsd(0, 10, out);
        out.put((byte) '\n');
        w.appendStatsd(18, 125, out); // series 8: a timer
        assertEquals("e2e3.h0.s0-meter:1|c\ne2e3.h0.s8-timer:12.5|ms",
                new String(out.array(), 0, out.position(), StandardCharsets.US_ASCII));
    }

    @Test
    void theMixIsSixtyThirtyTen() {
        Workload w = new Workload("t", 150_000);
        assertEquals(1_500, w.hosts);
        int[] kinds = new int[Workload.Kind.values().length];
        for (long e = 0; e < 1_000; e++) {
            kinds[w.kind(e).ordinal()]++;
        }
        assertEquals(600, kinds[Workload.Kind.METER.ordinal()]);
        assertEquals(300, kinds[Workload.Kind.HISTOGRAM.ordinal()] + kinds[Workload.Kind.TIMER.ordinal()]);
        assertEquals(100, kinds[Workload.Kind.GAUGE.ordinal()]);
        assertEquals(600, w.meters(1_000));
        assertEquals(6 + 5, new Workload("t", 10).meters(15)); // 15 events: series 0-9 then 0-4 (meters)
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 1_000; i++) {
            assertTrue(Workload.tenths(Workload.Kind.TIMER, r) >= 1);
        }
    }

    @Test
    void listenerCountsPointsPerStepWithLatencyAndMeterSums() throws Exception {
        try (CountingGraphite g = new CountingGraphite(CountingGraphite.Dialect.RIFFLE, 5, () -> 0L)) {
            CountingGraphite.Tally step = g.register("e2e1", 10);
            String lines = String.join("\n",
                    "production.h0.e2e1.s0-meter.rate-per-second 2.4 1000",
                    "production.all-hosts.e2e1.s0-meter.rate-per-second 2.4 1000",
                    "production.bench.e2e1.h3.s1-meter.rate-per-second 0.2 1005",
                    "production.h0.e2e1.s8-timer.value.99 12.5 1005",
                    "riffle.raw-events-processed.rate-per-second 10.0 1000",
                    "not a point at all",
                    "x".repeat(CountingGraphite.MAX_LINE + 10),
                    "");
            g.read(new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)));
            assertEquals(4, step.points.sum());
            assertEquals(1, step.fleetPoints.sum());
            assertEquals(13.0, step.meterEvents.sum(), 1e-9); // 2.4 x 5 + 0.2 x 5, all-hosts not again
            assertEquals(1, g.otherPoints.sum());
            assertEquals(2, g.malformed.sum());
            assertEquals(2, step.kept().get("production.h0.e2e1.s0-meter.rate-per-second").size()
                    + step.kept().get("production.h0.e2e1.s8-timer.value.99").size());
            assertEquals(1005, step.maxTimestamp());
        }
        // latency: arrival minus window end (start + 5 s)
        try (CountingGraphite g = new CountingGraphite(CountingGraphite.Dialect.RIFFLE, 5, () -> 1_007_250L)) {
            CountingGraphite.Tally step = g.register("e2e2", 0);
            g.line("production.h0.e2e2.s0-meter.rate-per-second 1 1000", 1_007_250L);
            g.line("production.h0.e2e2.s0-meter.rate-per-second 1 1000", 1_009_000L);
            assertEquals(2_250, step.latencyPercentile(50), 2);
            assertEquals(-1, step.fleetLatencyPercentile(99));
            g.line("production.all-hosts.e2e2.s0-meter.rate-per-second 1 1000", 1_010_000L);
            assertEquals(5_000, step.fleetLatencyPercentile(99), 5);
            assertEquals(5_000, step.latencyMax(), 5);
        }
    }

    @Test
    void etsyCountersAndItsOwnFiguresAreCountedApart() {
        try (CountingGraphite g = new CountingGraphite(CountingGraphite.Dialect.ETSY, 5)) {
            CountingGraphite.Tally step = g.register("e2e4", 0);
            g.line("stats.counters.e2e4.h0.s0-meter.count 7 1000", 1_000_400L);
            g.line("stats.counters.e2e4.h0.s0-meter.rate 1.4 1000", 1_000_400L);
            g.line("stats.timers.e2e4.h0.s8-timer.count 3 1000", 1_000_400L);
            g.line("stats.counters.statsd.metrics_received.count 11 1000", 1_000_400L);
            assertEquals(3, step.points.sum());
            assertEquals(7.0, step.counterEvents.sum(), 1e-9);
            assertEquals(11.0, g.etsyMetricsReceived.sum(), 1e-9);
            assertEquals(1000, g.etsyLastFlush.get()[0]);
            assertEquals(11, g.etsyLastFlush.get()[1]);
            assertEquals(400, step.latencyMax(), 1);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void statusLinesAreReadLeniently() {
        RiffleProcess.Status s = RiffleProcess.parse("12:00:00.000 [riffle-status] INFO riffle.status - sink: points "
                + "written 120 (24/s), skipped 0, lag 0, graphite 1/1 connected | streams: RUNNING, events 1000, "
                + "points out 130, late 3, unknown kind 0, clock ahead 0 | bridge: events in 1003, to kafka 1002, "
                + "refused 1, dropped 0, clamped 0, backlog 0 KiB", 5L);
        assertEquals(1000, s.streamsEvents());
        assertEquals(3, s.late());
        assertEquals(1003, s.bridgeIn());
        assertEquals(1002, s.toKafka());
        assertEquals(120, s.pointsWritten());
        assertEquals(-1, RiffleProcess.parse("streams: RUNNING | bridge: events in 5", 0).late());
        assertEquals(-1, s.alertLagMs());
        RiffleProcess.Status a = RiffleProcess.parse("sink: points written 5 | alerts: RUNNING, points 4200, event "
                + "records 0, firing 0, resolved 0, pending/inactive 0, series tracked 300, untracked 0, malformed 0, "
                + "lag 7350 ms, points 10+ s behind 12, match cache 300 | notifier: alerts 0 (firing 0) | streams: "
                + "RUNNING, events 9, points out 2, late 0 | bridge: events in 9, to kafka 9", 0);
        assertEquals(4200, a.alertPoints());
        assertEquals(7350, a.alertLagMs());
        assertEquals(12, a.alertBehind());
        assertEquals(5, a.pointsWritten());
        assertEquals(9, a.streamsEvents());
    }

    /** --alert-rules N: N rules that parse; every series under an absence rule, most under their service's rule. */
    @Test
    void alertRulesCoverTheWorkloadsSeries() {
        for (int n : new int[] {1, 100, 250}) {
            List<Rule> rules = Config.load(null, Map.of("RIFFLE_ALERTS_RULES", AlertRules.yaml(n)), TestKeys.all())
                    .get(AlertKeys.RULES);
            assertEquals(n, rules.size());
            Workload w = new Workload("e2e7", 150_000);
            int serviceRuled = 0;
            for (int service = 0; service < w.services; service++) {
                Workload.Kind kind = Workload.kindOf(service);
                String base = "production.h1499.e2e7.s" + service + "-" + kind.tag;
                String path = switch (kind) {
                    case METER -> base + ".rate-per-second";
                    case GAUGE -> base + ".value";
                    case HISTOGRAM, TIMER -> base + ".value.99";
                };
                List<Rule> hit = rules.stream().filter(r -> r.match().matches(path)).toList();
                assertTrue(n == 1 && path.split("\\.").length == 6
                        || hit.stream().anyMatch(r -> r.kind() == Rule.Kind.ABSENT), path + " " + hit);
                boolean threshold = hit.stream().anyMatch(r -> r.kind() == Rule.Kind.THRESHOLD);
                serviceRuled += threshold ? 1 : 0;
                for (Rule r : hit) { // nothing the workload sends crosses a threshold
                    assertTrue(r.kind() == Rule.Kind.ABSENT || r.threshold() >= 1_000_000, r.toString());
                }
            }
            assertEquals(Math.min(100, Math.max(0, n - 2)), serviceRuled, "services under a threshold rule, " + n);
        }
    }

    @Test
    void gcLogLinesGiveTheHeapBeforeCollection() {
        assertEquals(150, ProcWatch.heapBeforeMiB("[1.234s] GC(3) Pause Young (Normal) (G1 Evacuation Pause) "
                + "150M->40M(1024M) 5.123ms"));
        assertEquals(2048, ProcWatch.heapBeforeMiB("[9s] GC(9) Pause Full 2G->1G(4G) 1.0ms"));
        assertEquals(-1, ProcWatch.heapBeforeMiB("[0.004s] Using G1"));
        assertEquals(40, ProcWatch.heapAfterMiB("[1.234s] GC(3) Pause Young (Normal) (G1 Evacuation Pause) "
                + "150M->40M(1024M) 5.123ms"));
        assertEquals(1024, ProcWatch.heapAfterMiB("[9s] GC(9) Pause Full 2G->1G(4G) 1.0ms"));
        assertEquals(476.496, ProcWatch.pauseMillis("[350.715s][info][gc] GC(596) Pause Full (G1 Compaction Pause) "
                + "1022M->706M(1024M) 476.496ms"), 1e-9);
        assertEquals(0, ProcWatch.pauseMillis("[349.051s][info][gc] GC(559) To-space exhausted"), 0);
    }

    @Test
    void tableAndPlot() throws Exception {
        List<StepResult> steps = List.of(
                new StepResult("riffle riemann-tcp", 1_000, 20_000, 8, 160_000, 20_000.0, 160_000, 160_000, 159_000,
                        0, 96_000, 96_000, -1, 20_000, 2_000, 1_900, 2_800, 3_100, 3_000, 400, 250, 700, 1.2, 0.3, ""),
                new StepResult("etsy statsd", 1_000, 20_000, 8, 160_000, 20_000.0, -1, -1, 150_000, -1, 96_000,
                        90_000, 12, 40_000, -1, 40, 60, 70, -1, -1, -1, 80, 0.9, 0.3, "not drained"));
        String md = Report.table(steps);
        assertTrue(md.contains("| riffle riemann-tcp | 1,000 | 20,000 | 160,000 |"), md);
        assertTrue(md.contains("| 1,000 (0.63%) |"), md);
        assertTrue(md.contains("| etsy statsd (not drained) |"), md);
        assertEquals(Report.COLUMNS.length + 1, md.lines().findFirst().orElseThrow().split("\\|", -1).length - 1);
        String svg = Report.svg(steps, "a <title> & more");
        DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8))); // well-formed XML
        assertTrue(svg.contains("etsy statsd, 1,000 series"));
        List<StepResult> back = Replot.parse(md.lines().toList()); // what Replot draws again from a result file
        assertEquals(2, back.size());
        assertEquals("etsy statsd", back.get(1).target());
        assertEquals(159_000, back.get(0).counted());
        assertEquals(40, back.get(1).p50Ms());
        assertEquals(-1, back.get(1).fleetP99Ms());
        assertEquals(1_900, back.get(0).p50Ms());
        assertEquals(2_800, back.get(0).p99Ms());
        assertEquals(25_000, Report.niceCeiling(21_000), 0);
        assertEquals(60_000, Report.niceCeiling(60_000), 0);
        assertEquals("2.5k", Report.shortNumber(2_500));

        String topic = Report.topicTable(List.of(new Report.TopicRow("e2e1", "riemann-udp", 150_000, 20_000,
                new PointsTopic.Figures(1_000, 300_000, 4, true), 300_000, 7_350, 12, 3)));
        assertTrue(topic.contains("| e2e1 | riffle riemann-udp | 150,000 | 20,000 | 1,000 | 300,000 | 300.0 | 4 | 250 "
                + "| 75,000 | 300,000 | 7,350 | 12 | 3 |"), topic);
        // Replot reads the steps' table only, not the points topic's after it
        assertEquals(2, Replot.parse((md + "\n" + topic).lines().toList()).size());
    }
}
