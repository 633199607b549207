package dev.riffle.topology;

import static dev.riffle.topology.Harness.T0;
import static dev.riffle.topology.Harness.line;
import static dev.riffle.topology.Harness.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every rule of README "Semantics", one at a time, through the real topology under TopologyTestDriver. */
class SemanticsTest {
    Harness h = new Harness();

    @AfterEach
    void stop() {
        h.close();
    }

    /** Moves event time on with an event of no kind (it only shows in riffle.* self metrics). */
    void advanceTo(long timeMs) {
        h.send(timeMs, "clock", "tick", null);
    }

    // ---- kinds

    @Test
    void meterIsSumOverWindowSecondsAndMissingMetricCountsOne() {
        for (int i = 0; i < 10; i++) {
            h.send(T0 + i * 100, "box1", "foo", null, "production", "meter");
        }
        h.send(T0 + 4_999, "box1", "bytes", 7.0, "staging", "meter");
        h.send(T0 + 1, "box1", "bytes", null, "staging", "meter");
        h.send(T0 + 5_000, "box1", "bytes", 100.0, "staging", "meter"); // next window
        assertTrue(h.lines().isEmpty(), "windows still open");
        advanceTo(T0 + 11_000);
        List<String> lines = h.lines();
        assertEquals(List.of(line("production.box1.foo.rate-per-second", 2.0, T0),
                line("production.box1.foo.rate-per-second", 0.0, T0 + 5_000)), only(lines, "production.box1"));
        assertEquals(List.of(line("staging.box1.bytes.rate-per-second", 1.6, T0),
                line("staging.box1.bytes.rate-per-second", 20.0, T0 + 5_000)), only(lines, "staging.box1"));
    }

    @Test
    void gaugeIsLastMetricByEventTimeNotByArrival() {
        h.send(T0 + 3_000, "box1", "load", 3.0, "gauge");
        h.send(T0 + 1_000, "box1", "load", 1.0, "gauge"); // arrives later, happened earlier
        h.send(T0 + 2_000, "box1", "heap", 5.0, "gauge");
        h.send(T0 + 2_000, "box1", "heap", 4.0, "gauge"); // same time: the larger value wins
        advanceTo(T0 + 6_000);
        List<String> lines = h.lines();
        assertEquals(List.of(line("box1.heap", 5.0, T0)), only(lines, "box1.heap"));
        assertEquals(List.of(line("box1.load", 3.0, T0)), only(lines, "box1.load"));
    }

    @Test
    void occurrenceIsOnePerWindowThatSawOne() {
        h.send(T0 + 100, "box1", "deploy", null, "occurrence");
        h.send(T0 + 200, "box1", "deploy", 42.0, "occurrence");
        h.send(T0 + 10_100, "box1", "deploy", null, "occurrence");
        advanceTo(T0 + 20_000);
        assertEquals(List.of(line("box1.deploy.occurrences", 1.0, T0),
                line("box1.deploy.occurrences", 1.0, T0 + 10_000)), only(h.lines(), "box1.deploy"));
    }

    @Test
    void histogramAndTimerReportNearestRankPercentiles() {
        for (int v = 10; v >= 1; v--) { // sorted 1..10: rank floor(10p) -> 0.5:6 0.75:8 0.95:10 0.99:10 1:10
            h.send(T0 + v, "box1", "search-time", (double) v, "production", "histogram");
            h.send(T0 + v, "box1", "login", v * 2.0, "production", "timer");
        }
        advanceTo(T0 + 6_000);
        List<String> lines = h.lines();
        assertEquals(List.of(
                line("production.box1.search-time.value.5", 6.0, T0),
                line("production.box1.search-time.value.75", 8.0, T0),
                line("production.box1.search-time.value.95", 10.0, T0),
                line("production.box1.search-time.value.99", 10.0, T0),
                line("production.box1.search-time.value.1", 10.0, T0)), only(lines, "production.box1.search"));
        assertEquals(line("production.box1.login.value.5", 12.0, T0), only(lines, "production.box1.login").get(0));
    }

    @Test
    void manyValuesAreWithinHistogramPrecisionAndMinMaxAreExact() {
        List<Event> batch = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            batch.add(Event.of((T0 + i) * 1000, "box1", "t", List.of("histogram"), 1.0 + i * 0.37));
        }
        h.sendBatch(batch);
        advanceTo(T0 + 6_000);
        List<String> lines = only(h.lines(), "box1.t.value");
        double[] expected = {1.0 + 500 * 0.37, 1.0 + 750 * 0.37, 1.0 + 950 * 0.37, 1.0 + 990 * 0.37, 1.0 + 999 * 0.37};
        assertEquals(5, lines.size(), lines.toString());
        for (int i = 0; i < 5; i++) {
            double got = Double.parseDouble(lines.get(i).split(" ")[1]);
            assertEquals(expected[i], got, expected[i] * 1e-3, lines.get(i));
        }
        assertEquals(expected[4], Double.parseDouble(lines.get(4).split(" ")[1]), 0.0, "max is exact");
    }

    @Test
    void eventsWithoutKindAreCountedAndIgnored() {
        h.send(T0, "box1", "mystery", 1.0, "production");
        advanceTo(T0 + 6_000);
        List<String> lines = h.lines();
        assertEquals(List.of(), only(lines, "production."));
        assertEquals(2, h.counters.unknownKind()); // the mystery and the clock tick
        assertEquals(List.of(line("riffle.unknown-kinds.rate-per-second", 0.2, T0)),
                only(lines, "riffle.unknown-kinds"));
    }

    @Test
    void eventsWithoutKindCanBeGauges() {
        h.close();
        h = new Harness(Harness.config(TopologyKeys.UNTAGGED_AS_GAUGE, "true"));
        h.send(T0, "box1", "mystery", 1.5, "production");
        h.send(T0 + 6_000, "box1", "mystery", 2.5, "production");
        assertEquals(List.of(line("production.box1.mystery", 1.5, T0)), only(h.lines(), "production.box1"));
        assertEquals(0, h.counters.unknownKind());
    }

    @Test
    void anEventTaggedWithTwoKindsCountsInBoth() {
        h.send(T0, "box1", "req", 4.0, "meter", "gauge");
        advanceTo(T0 + 6_000);
        assertEquals(List.of(line("box1.req", 4.0, T0), line("box1.req.rate-per-second", 0.8, T0)),
                only(h.lines(), "box1.req").stream().sorted().toList());
    }

    // ---- routing

    @Test
    void environmentIsFirstConfiguredTagAndEachEnvironmentHasItsFleet() {
        h.send(T0, "a", "s", null, "meter", "dev", "production"); // production comes first in the configured list
        h.send(T0, "b", "s", null, "meter", "staging");
        h.send(T0, "c", "s", null, "meter", "dev");
        h.send(T0, "d", "s", null, "meter");
        advanceTo(T0 + 6_000);
        List<String> lines = h.lines().stream().filter(l -> !l.startsWith("riffle.")).sorted().toList();
        assertEquals(List.of(
                line("all-hosts.s.rate-per-second", 0.2, T0),
                line("d.s.rate-per-second", 0.2, T0),
                line("dev.c.s.rate-per-second", 0.2, T0), // dev has no fleet
                line("production.a.s.rate-per-second", 0.2, T0),
                line("production.all-hosts.s.rate-per-second", 0.2, T0),
                line("staging.all-hosts.s.rate-per-second", 0.2, T0),
                line("staging.b.s.rate-per-second", 0.2, T0)), lines);
    }

    @Test
    void fleetMergesHostsPartialsOfEveryKind() {
        for (int i = 0; i < 40; i++) { // 40 values over 2 hosts: the merged histogram is past the exact size
            h.send(T0 + i, i % 2 == 0 ? "a" : "b", "lat", (double) i, "production", "histogram");
        }
        h.send(T0, "a", "req", 3.0, "production", "meter");
        h.send(T0, "b", "req", null, "production", "meter");
        h.send(T0 + 10, "a", "load", 1.0, "production", "gauge");
        h.send(T0 + 20, "b", "load", 2.0, "production", "gauge");
        h.send(T0 + 30, "a", "up", null, "production", "occurrence");
        h.send(T0 + 40, "b", "up", null, "production", "occurrence");
        advanceTo(T0 + 6_000);
        List<String> lines = only(h.lines(), "production.all-hosts");
        assertTrue(lines.contains(line("production.all-hosts.req.rate-per-second", 0.8, T0)), lines.toString());
        assertTrue(lines.contains(line("production.all-hosts.load", 2.0, T0)), lines.toString());
        assertTrue(lines.contains(line("production.all-hosts.up.occurrences", 1.0, T0)), lines.toString());
        List<String> lat = only(lines, "production.all-hosts.lat");
        double[] exact = {20, 30, 38, 39, 39}; // 0..39: ranks 20, 30, 38, 39, 39
        for (int i = 0; i < exact.length; i++) {
            assertEquals(exact[i], Double.parseDouble(lat.get(i).split(" ")[1]), exact[i] * 1e-3, lat.get(i));
        }
        assertEquals(8, lines.size(), lines.toString());
    }

    // ---- windows and time

    @Test
    void windowClosesExactlyWhenEventTimePassesEndPlusGrace() {
        h.send(T0 + 4_999, "box1", "w", null, "meter");
        h.send(T0 + 5_000, "box1", "w", null, "meter");
        advanceTo(T0 + 5_999);
        assertEquals(List.of(), only(h.lines(), "box1"));
        advanceTo(T0 + 6_000);
        assertEquals(List.of(line("box1.w.rate-per-second", 0.2, T0)), only(h.lines(), "box1"));
    }

    @Test
    void lateEventsAreCountedDroppedAndReported() {
        h.send(T0, "box1", "foo", null, "meter");
        h.send(T0 + 7_000, "box1", "foo", null, "meter"); // closes the first window
        h.send(T0 + 100, "box1", "foo", null, "meter"); // too late for it
        h.send(T0 + 5_500, "box1", "foo", null, "meter"); // within grace of its own window: fine
        assertEquals(List.of(line("box1.foo.rate-per-second", 0.2, T0)), only(h.lines(), "box1"));
        assertEquals(1, h.counters.lateEvents());
        advanceTo(T0 + 11_000);
        List<String> lines = h.lines();
        assertEquals(List.of(line("box1.foo.rate-per-second", 0.4, T0 + 5_000)), only(lines, "box1"));
        assertEquals(List.of(line("riffle.late-events.rate-per-second", 0.2, T0 + 5_000)),
                only(lines, "riffle.late-events"));
    }

    @Test
    void lateIsJudgedPerEventWithinOneRecord() {
        h.send(T0 + 9_000, "box1", "x", null, "meter");
        h.sendBatch(List.of(Event.of((T0 + 8_000) * 1000, "box1", "x", List.of("meter"), null),
                Event.of((T0 + 1_000) * 1000, "box1", "x", List.of("meter"), null))); // second one is late
        advanceTo(T0 + 11_000);
        assertEquals(List.of(line("box1.x.rate-per-second", 0.4, T0 + 5_000)), only(h.lines(), "box1"));
        assertEquals(1, h.counters.lateEvents());
    }

    @Test
    void eventAheadOfItsArrivalIsCountedAndPutInItsArrivalWindow() {
        h.sendArrived(T0 + 1_000, List.of(Event.of((T0 + 2 * 3_600_000) * 1000, "box1", "foo", List.of("meter"), null),
                Event.of((T0 + 2_000) * 1000, "box1", "foo", List.of("meter"), null), // 1 s ahead: tolerated
                Event.of((T0 + 500) * 1000, "box1", "foo", List.of("meter"), null)));
        h.tick(T0 + 6_000);
        assertEquals(List.of(line("box1.foo.rate-per-second", 0.6, T0)), only(h.lines(), "box1"));
        assertEquals(1, h.counters.clockAhead());
        assertEquals(0, h.counters.lateEvents());
    }

    @Test
    void idlePartitionClosesWindowsByTheBridgesTicksNotTheWallClock() {
        h.sendArrived(T0 + 1_000, List.of(Event.of((T0 + 1_000) * 1000, "box1", "foo", List.of("production", "meter"),
                null)));
        h.idle(Duration.ofHours(1));
        assertTrue(h.lines().isEmpty(), "the wall clock closes nothing");
        h.tick(T0 + 5_999);
        assertTrue(only(h.lines(), "production").isEmpty(), "the watermark has not passed end + grace yet");
        h.tick(T0 + 6_000);
        List<String> lines = h.lines();
        assertEquals(List.of(line("production.box1.foo.rate-per-second", 0.2, T0)), only(lines, "production.box1"));
        assertEquals(List.of(line("production.all-hosts.foo.rate-per-second", 0.2, T0)),
                only(lines, "production.all-hosts"), "fleet follows the per-host watermark");
    }

    // ---- fill-in and expiry

    @Test
    void silentMeterGetsZeroUntilItsLastEventExpiresThenNothing() {
        h.send(T0 + 2_000, "box1", "m", null, "meter"); // default ttl 60 s: expires at T0 + 62 s
        advanceTo(T0 + 200_000);
        List<String> expected = new ArrayList<>();
        expected.add(line("box1.m.rate-per-second", 0.2, T0));
        for (long s = T0 + 5_000; s < T0 + 62_000; s += 5_000) {
            expected.add(line("box1.m.rate-per-second", 0.0, s));
        }
        List<String> lines = h.lines();
        assertEquals(expected, only(lines, "box1.m"));
        assertEquals(expected.stream().map(l -> l.replace("box1.m", "all-hosts.m")).toList(),
                only(lines, "all-hosts.m"));
    }

    @Test
    void eventTtlSetsTheExpiryAndTheLastEventCounts() {
        h.send(new Event((T0 + 1_000) * 1000, "box1", "m", null, null, List.of("meter"), Map.of(), null, 100f));
        h.send(new Event((T0 + 3_000) * 1000, "box1", "m", null, null, List.of("meter"), Map.of(), null, 6f));
        advanceTo(T0 + 100_000); // last event at 3 s with ttl 6 s: alive at the start of the next window only
        assertEquals(List.of(line("box1.m.rate-per-second", 0.4, T0), line("box1.m.rate-per-second", 0.0, T0 + 5_000)),
                only(h.lines(), "box1.m"));
    }

    @Test
    void meterComingBackAfterSilenceRestartsItsFillIn() {
        h.send(T0, "box1", "m", null, "meter");
        h.send(T0 + 10_000, "box1", "m", 5.0, "meter");
        advanceTo(T0 + 16_000);
        assertEquals(List.of(line("box1.m.rate-per-second", 0.2, T0), line("box1.m.rate-per-second", 0.0, T0 + 5_000),
                line("box1.m.rate-per-second", 1.0, T0 + 10_000)), only(h.lines(), "box1.m"));
    }

    // ---- self metrics

    @Test
    void selfMetricsCountEventsAndPoints() {
        h.send(T0, "a", "s", null, "meter");
        h.send(T0 + 1, "a", "g", 1.0, "gauge");
        h.send(T0 + 2, "b", "s", null, "meter", "dev");
        advanceTo(T0 + 6_000);
        List<String> lines = h.lines();
        assertEquals(List.of(line("riffle.raw-events-processed.rate-per-second", 0.6, T0)),
                only(lines, "riffle.raw-events-processed"));
        assertEquals(List.of(line("riffle.points-emitted.rate-per-second", 0.6, T0)), // 3 per-host points
                only(lines, "riffle.points-emitted"));
        assertEquals(3, h.counters.eventsProcessed() - 1);
    }

    @Test
    void malformedRecordIsCountedAndTheNextOneStillCounts() {
        h.driver.createInputTopic("riffle-events", new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer()).pipeInput("x", "nope".getBytes());
        h.send(T0, "box1", "s", null, "meter");
        advanceTo(T0 + 6_000);
        assertEquals(1, h.counters.malformedRecords());
        assertEquals(List.of(line("box1.s.rate-per-second", 0.2, T0)), only(h.lines(), "box1"));
    }
}
