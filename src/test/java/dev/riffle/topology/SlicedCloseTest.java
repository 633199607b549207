package dev.riffle.topology;

import static dev.riffle.topology.Harness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.Config;
import dev.riffle.core.Event;
import dev.riffle.core.GraphiteNames;
import dev.riffle.core.SeriesId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A window of many series is closed in slices ({@code topology.close_slice_points}), so that one close never
 * holds the stream thread's other tasks, nor the sink, for long: the slices give exactly the points of a close
 * in one go, an event for a window being closed is late (never half counted), and a task restored in the middle
 * of a window's slices (from what the journal saved at the last commit) neither repeats nor loses a point.
 */
class SlicedCloseTest {
    private static final int SLICE = 50;
    private static final String[] KIND_TAGS = {"meter", "histogram", "gauge"};

    /** 150 hosts x 3 services (meters, histograms and gauges) for 20 s, a tick every 200 ms; then quiet. */
    static List<Object[]> traffic(long seed) {
        Random r = new Random(seed);
        List<Object[]> records = new ArrayList<>();
        for (long now = T0; now < T0 + 20_000; now += 10) {
            int host = r.nextInt(150);
            List<Event> batch = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                batch.add(Event.of((now - r.nextInt(200)) * 1000, "h" + host, "svc" + s,
                        List.of("production", KIND_TAGS[s]), (double) r.nextInt(1000)));
            }
            records.add(new Object[] {now, batch});
            if (now % 200 == 0) {
                records.add(new Object[] {now});
            }
        }
        for (long quiet = T0 + 20_000; quiet <= T0 + 120_000; quiet += 5_000) {
            records.add(new Object[] {quiet}); // the quiet minute after: fill-ins, then every meter expires
        }
        return records;
    }

    static void pipe(Harness h, Object[] r) {
        if (r.length == 1) {
            h.tick((Long) r[0]);
        } else {
            @SuppressWarnings("unchecked")
            List<Event> batch = (List<Event>) r[1];
            h.sendArrived((Long) r[0], batch);
        }
    }

    static Config sliced(int points) {
        return Harness.config(TopologyKeys.CLOSE_SLICE_POINTS, points);
    }

    /** Lets the punctuator make every slice still due; bounded. */
    static List<String> drain(Harness h) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            h.idle(Duration.ofMillis(10));
            List<String> more = h.lines();
            if (more.isEmpty()) {
                return out;
            }
            out.addAll(more);
        }
        throw new AssertionError("the slices never ended");
    }

    static List<String> sorted(List<String> lines) {
        List<String> copy = new ArrayList<>(lines);
        copy.sort(null);
        return copy;
    }

    static boolean perHost(String line) {
        return !line.contains("all-hosts") && !line.startsWith("riffle.");
    }

    static List<String> inOneGo(List<Object[]> records) {
        try (Harness h = new Harness(sliced(10_000_000))) {
            records.forEach(r -> pipe(h, r));
            assertEquals(0, h.counters.lateEvents());
            return h.lines();
        }
    }

    @Test
    void slicesGiveExactlyThePointsOfACloseInOneGoAndEachTurnIsBounded() {
        List<Object[]> records = traffic(1);
        List<String> whole = inOneGo(records);
        List<String> lines = new ArrayList<>();
        int largestTurn = 0;
        try (Harness h = new Harness(sliced(SLICE))) {
            for (Object[] r : records) {
                pipe(h, r);
                List<String> turn = h.lines();
                largestTurn = Math.max(largestTurn, (int) turn.stream().filter(SlicedCloseTest::perHost).count());
                lines.addAll(turn);
                if (r.length == 1 && ((Long) r[0]) % 1_000 == 0) {
                    lines.addAll(drain(h)); // now and then the punctuator gets a turn; else ticks drive the slices
                }
            }
            lines.addAll(drain(h));
            assertEquals(0, h.counters.lateEvents());
        }
        assertTrue(whole.size() > 10 * SLICE, "windows bigger than a slice: " + whole.size());
        assertTrue(largestTurn <= SLICE + 6, "one turn emitted " + largestTurn + " per-host points (a histogram"
                + " series makes up to 6, so a slice may end that far past " + SLICE + ")");
        EventSets.assertWrittenOnce(lines, false);
        assertEquals(sorted(whole), sorted(lines));
    }

    @Test
    void anEventForAWindowBeingClosedIsLateAndTheWindowKeepsItsPoints() {
        List<Object[]> records = traffic(2);
        List<String> whole = inOneGo(records);
        List<String> lines = new ArrayList<>();
        try (Harness h = new Harness(sliced(SLICE))) {
            boolean sentIntoClosing = false;
            for (Object[] r : records) {
                pipe(h, r);
                lines.addAll(h.lines());
                if (!sentIntoClosing && r.length == 1 && (Long) r[0] == T0 + 11_000) { // closes [T0+5s, T0+10s)
                    assertTrue(lines.stream().noneMatch(l -> l.startsWith("riffle.") && l.contains("late")),
                            "setup");
                    h.sendArrived(T0 + 11_000, List.of(Event.of((T0 + 9_000) * 1000, "h1", "svc0",
                            List.of("production", "meter"), 1.0)));
                    sentIntoClosing = true;
                }
            }
            lines.addAll(drain(h));
            assertEquals(1, h.counters.lateEvents(), "the event for the window being closed");
        }
        List<String> app = lines.stream().filter(SlicedCloseTest::perHost).toList();
        assertEquals(sorted(whole.stream().filter(SlicedCloseTest::perHost).toList()), sorted(app),
                "the window's points as if the late event had never come");
    }

    @Test
    void aTaskRestoredInTheMiddleOfAWindowsSlicesNeitherRepeatsNorLosesAPoint() {
        List<Object[]> records = traffic(3);
        int cut = 0; // the first tick that closes a window: the slices start there
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).length == 1 && (Long) records.get(i)[0] >= T0 + 6_000) {
                cut = i;
                break;
            }
        }
        List<Object[]> upToCut = records.subList(0, cut + 1);
        List<String> whole = inOneGo(upToCut).stream().filter(SlicedCloseTest::perHost).toList();

        Config config = sliced(SLICE);
        List<String> before;
        WindowBook restored = new WindowBook(5_000);
        try (Harness h = new Harness(config)) {
            upToCut.forEach(r -> pipe(h, r)); // TopologyTestDriver commits after every record: the journal saves
            h.idle(Duration.ofMillis(10)); // one more slice, and its commit
            before = h.lines().stream().filter(SlicedCloseTest::perHost).toList();
            new Journal((JournalStore) h.driver.getStateStore(HostWindows.STORE)).load(restored); // "crash" here
        }
        assertTrue(restored.closingPending(), "the task was stopped in the middle of a window's slices");
        assertFalse(before.isEmpty(), "some slices were out before the stop");

        Rules rules = new Rules(config);
        List<String> after = new ArrayList<>();
        restored.closeSome(Long.MIN_VALUE, Integer.MAX_VALUE, false, new WindowBook.Output() {
            @Override
            public int point(long start, Aggregate a) {
                if (a.series.host() == null) {
                    return 1;
                }
                SeriesId[] ids = rules.ids(a.series, false);
                double[] values = rules.values(a);
                for (int i = 0; i < ids.length; i++) {
                    after.add(Harness.line(GraphiteNames.of(ids[i]), values[i], start));
                }
                return ids.length;
            }

            @Override
            public void zero(long start, Series meter) {
                after.add(Harness.line(GraphiteNames.of(rules.ids(meter, false)[0]), 0.0, start));
            }
        });
        List<String> all = new ArrayList<>(before);
        all.addAll(after.stream().filter(SlicedCloseTest::perHost).toList());
        EventSets.assertWrittenOnce(all, false);
        assertEquals(sorted(whole), sorted(all), "the restored task's slices complete the window exactly");
    }
}
