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
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Windows close on the bridges' ticks ("Time from the stream"): one client's clock, this instance's own pauses,
 * several bridges and a replay, through the real topology under TopologyTestDriver.
 */
class TimeFromStreamTest {

    /** What a bridge wrote into one partition: records in order, and the events as the oracle should see them. */
    static final class Traffic {
        final List<Object[]> records = new ArrayList<>(); // {arrival, List<Event>} or {tick time}
        final List<Event> expected = new ArrayList<>();
        int fastEvents;

        void replay(Harness h) {
            for (Object[] r : records) {
                if (r.length == 1) {
                    h.tick((Long) r[0]);
                } else {
                    @SuppressWarnings("unchecked")
                    List<Event> batch = (List<Event>) r[1];
                    h.sendArrived((Long) r[0], batch);
                }
            }
        }
    }

    /**
     * 12 honest hosts (their events 0-300 ms older than their arrival: network and client batching) and one host
     * whose clock is {@code fastMs} ahead, all meters, for a minute; a tick every 200 ms. The fast host's events
     * are expected where the topology must put them: in their arrival's window.
     */
    static Traffic traffic(long fastMs, long seed) {
        Random r = new Random(seed);
        Traffic t = new Traffic();
        for (long now = T0; now < T0 + 60_000; now += 20) {
            int host = r.nextInt(13);
            String name = host == 12 ? "fast" : "h" + host;
            long own = host == 12 ? now + fastMs : now - r.nextInt(300);
            Event e = Event.of(own * 1000, name, "req", List.of("production", "meter"), (double) (1 + r.nextInt(5)));
            t.records.add(new Object[] {now, List.of(e)});
            if (host == 12) {
                t.fastEvents++;
                t.expected.add(Event.of(now * 1000, name, "req", e.tags(), e.metric()));
            } else {
                t.expected.add(e);
            }
            if (now % 200 == 0) {
                t.records.add(new Object[] {now});
            }
        }
        t.records.add(new Object[] {T0 + 3_600_000}); // an hour on: every window closes, every meter expires
        return t;
    }

    static Map<String, Double> applicationPoints(Map<String, Double> points) {
        Map<String, Double> out = new TreeMap<>();
        points.forEach((k, v) -> {
            if (!k.startsWith("riffle.")) {
                out.put(k, v);
            }
        });
        return out;
    }

    void assertOracle(Traffic t, List<String> lines) {
        EventSets.assertWrittenOnce(lines, false);
        EventSets.assertSamePoints(applicationPoints(new Oracle(60_000).points(t.expected)),
                applicationPoints(EventSets.asCarbon(lines)));
    }

    @Test
    void aClientThreeSecondsFastLosesNoOneElsesEvents() {
        Traffic t = traffic(3_000, 1);
        try (Harness h = new Harness()) {
            t.replay(h);
            assertEquals(0, h.counters.lateEvents());
            assertEquals(t.fastEvents, h.counters.clockAhead(), "the fast host's events are counted");
            assertOracle(t, h.lines());
        }
    }

    @Test
    void aClientHalfAnHourFastLosesNoOneElsesEvents() {
        Traffic t = traffic(30 * 60_000, 2);
        try (Harness h = new Harness()) {
            t.replay(h);
            assertEquals(0, h.counters.lateEvents());
            assertEquals(t.fastEvents, h.counters.clockAhead());
            assertOracle(t, h.lines());
        }
    }

    @Test
    void aClockAheadByLessThanTheToleranceKeepsItsOwnWindow() {
        try (Harness h = new Harness()) {
            h.sendArrived(T0 + 4_500, List.of(Event.of((T0 + 5_400) * 1000, "a", "m", List.of("meter"), null)));
            h.tick(T0 + 11_000);
            assertEquals(List.of(line("a.m.rate-per-second", 0.2, T0 + 5_000)), only(h.lines(), "a.m").subList(0, 1));
            assertEquals(0, h.counters.clockAhead());
        }
    }

    @Test
    void aTaskNotCalledForTenSecondsThenGivenItsBacklogDropsNothing() {
        Traffic t = traffic(0, 3);
        try (Harness h = new Harness()) {
            int half = t.records.size() / 2;
            t.records.subList(0, half).forEach(r -> {
                Traffic one = new Traffic();
                one.records.add(r);
                one.replay(h);
            });
            h.idle(Duration.ofSeconds(10)); // a long GC pause, a slow commit, a rebalance: the wall clock runs on
            Traffic rest = new Traffic();
            rest.records.addAll(t.records.subList(half, t.records.size()));
            rest.replay(h);
            assertEquals(0, h.counters.lateEvents());
            assertOracle(t, h.lines());
        }
    }

    @Test
    void anEventBehindTheWatermarkIsLateAndOnlyIt() {
        try (Harness h = new Harness()) {
            h.sendArrived(T0 + 1_000, List.of(Event.of((T0 + 1_000) * 1000, "a", "m", List.of("meter"), null)));
            h.tick(T0 + 7_000);
            // received after the tick, but its own time is 6.5 s behind: its window closed at T0 + 6 s
            h.sendArrived(T0 + 7_100, List.of(Event.of((T0 + 600) * 1000, "slow", "m", List.of("meter"), null),
                    Event.of((T0 + 7_050) * 1000, "a", "m", List.of("meter"), null)));
            h.tick(T0 + 20_000);
            assertEquals(1, h.counters.lateEvents());
            List<String> lines = only(h.lines(), "a.m");
            assertEquals(line("a.m.rate-per-second", 0.2, T0), lines.get(0));
            assertEquals(line("a.m.rate-per-second", 0.2, T0 + 5_000), lines.get(1));
        }
    }

    @Test
    void theSlowestLiveBridgeHoldsTheWindowsAndOneThatStopsIsDroppedAfterTheTimeout() {
        try (Harness h = new Harness()) {
            h.sendArrived(T0 + 1_000, List.of(Event.of((T0 + 1_000) * 1000, "a", "m", List.of("meter"), null)));
            h.tick("b1", T0 + 2_000, false);
            h.tick("b2", T0 + 2_000, false);
            h.tick("b1", T0 + 10_000, false); // b2 has not passed 6 s yet: its events may still come
            assertTrue(only(h.lines(), "a.m").isEmpty());
            h.tick("b2", T0 + 6_500, false);
            assertEquals(List.of(line("a.m.rate-per-second", 0.2, T0)), only(h.lines(), "a.m"));
            // b2 stops without a goodbye (killed): waited for until b1 is the timeout (15 s) ahead of it
            h.sendArrived(T0 + 7_000, List.of(Event.of((T0 + 7_000) * 1000, "a", "m", List.of("meter"), null)));
            h.tick("b1", T0 + 21_000, false);
            assertTrue(only(h.lines(), "a.m").isEmpty(), "b2 still within the timeout");
            h.tick("b1", T0 + 21_600, false);
            assertEquals(line("a.m.rate-per-second", 0.2, T0 + 5_000), only(h.lines(), "a.m").get(0));
        }
    }

    @Test
    void aBridgeThatSaysGoodbyeIsNotWaitedFor() {
        try (Harness h = new Harness()) {
            h.sendArrived(T0 + 1_000, List.of(Event.of((T0 + 1_000) * 1000, "a", "m", List.of("meter"), null)));
            h.tick("b1", T0 + 1_500, false);
            h.tick("b2", T0 + 1_500, false);
            h.tick("b2", T0 + 3_000, true); // stopped cleanly: everything it had is before this
            h.tick("b1", T0 + 6_000, false);
            assertEquals(List.of(line("a.m.rate-per-second", 0.2, T0)), only(h.lines(), "a.m"));
        }
    }

    @Test
    void aReplayOfTheSameRecordsGivesTheSamePointsIncludingTheLastWindow() {
        Traffic t = traffic(3_000, 4);
        t.records.remove(t.records.size() - 1);
        t.records.add(new Object[] {T0 + 66_200L}); // the last ticks of a partition gone quiet
        List<String> first;
        try (Harness h = new Harness()) {
            t.replay(h);
            first = h.lines();
        }
        try (Harness h = new Harness()) {
            t.replay(h);
            assertEquals(first, h.lines());
        }
        assertTrue(first.contains(line("production.all-hosts.req.rate-per-second",
                        EventSets.asCarbon(first).get("production.all-hosts.req.rate-per-second " + (T0 + 55_000) / 1000),
                        T0 + 55_000)), "the last window with events closed on the quiet partition's tick");
    }

    @Test
    void recordsWithoutTicksCloseByTheirOwnEventTime() {
        try (Harness h = new Harness()) { // e.g. written by another producer, or before ticks existed
            h.send(T0 + 1_000, "a", "m", null, "meter");
            h.send(T0 + 6_000, "a", "m", null, "meter");
            assertEquals(List.of(line("a.m.rate-per-second", 0.2, T0)), only(h.lines(), "a.m"));
            h.tick(T0 + 12_000); // a bridge arrives: from now on its ticks are the clock
            assertEquals(List.of(line("a.m.rate-per-second", 0.2, T0 + 5_000)), only(h.lines(), "a.m").subList(0, 1));
        }
    }
}
