package dev.riffle.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.Event;
import dev.riffle.core.GraphiteGlob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The evaluator against a brute-force oracle over random point and event streams: every rule kind (above,
 * below, for, keep_firing_for, absent_for, state changes), and the same input twice, or cut by a restart,
 * gives the same transitions.
 */
class EvaluationOracleTest {
    private static final long W = 5_000;
    private static final long T0 = 1_700_000_000_000L;

    record P(String path, long t, double v) {
    }

    record Tr(String status, long at, long startsAt) {
    }

    static Rule threshold(String name, String match, boolean above, double th, long forMs, long keepMs) {
        return new Rule(name, Rule.Kind.THRESHOLD, GraphiteGlob.compile(match), above, th, Duration.ofMillis(forMs),
                Duration.ofMillis(keepMs), Duration.ZERO, Set.of(), Map.of(), null);
    }

    static Rule absent(String name, String match, long absentMs) {
        return new Rule(name, Rule.Kind.ABSENT, GraphiteGlob.compile(match), false, Double.NaN, Duration.ZERO,
                Duration.ZERO, Duration.ofMillis(absentMs), Set.of(), Map.of(), null);
    }

    /** Series that come and go: each has its own chance to report in a window, with long silent stretches. */
    static List<P> randomStream(Random r, int windows, int hosts) {
        List<P> out = new ArrayList<>();
        boolean[] silent = new boolean[hosts];
        for (int w = 0; w < windows; w++) {
            List<P> window = new ArrayList<>();
            for (int h = 0; h < hosts; h++) {
                if (r.nextInt(10) == 0) {
                    silent[h] = !silent[h];
                }
                if (silent[h] || r.nextInt(5) == 0) {
                    continue;
                }
                double v = r.nextInt(3) == 0 ? r.nextDouble() * 10 : 4 + r.nextDouble() * 2;
                window.add(new P("production.h" + h + ".lat.value.99", T0 + w * W, v));
                if (r.nextBoolean()) {
                    window.add(new P("staging.h" + h + ".lat.value.99", T0 + w * W, r.nextDouble() * 10));
                }
            }
            Collections.shuffle(window, r);
            out.addAll(window);
        }
        return out;
    }

    static Map<String, List<Tr>> run(PointEvaluator e, List<P> points) {
        Map<String, List<Tr>> out = new TreeMap<>();
        for (P p : points) {
            collect(out, e.onPoint(p.path(), p.t(), p.v()));
            e.endRecord();
        }
        return out;
    }

    private static void collect(Map<String, List<Tr>> out, List<Transition> transitions) {
        for (Transition t : transitions) {
            out.computeIfAbsent(t.key(), k -> new ArrayList<>()).add(new Tr(t.status().name(), t.atMs(),
                    t.startsAtMs()));
        }
    }

    /** Brute force: per point, each rule's status is worked out from the whole history up to it. */
    static Map<String, List<Tr>> oracle(List<Rule> rules, List<P> points) {
        Map<String, List<Tr>> out = new TreeMap<>();
        Map<String, String> status = new HashMap<>(); // key -> INACTIVE|PENDING|FIRING
        Map<String, Long> since = new HashMap<>();
        Map<String, List<P>> history = new HashMap<>();
        long clock = Long.MIN_VALUE;
        for (P p : points) {
            history.computeIfAbsent(p.path(), k -> new ArrayList<>()).add(p);
            List<P> h = history.get(p.path());
            for (Rule rule : rules) {
                if (!rule.match().matches(p.path())) {
                    continue;
                }
                String key = rule.name() + "|" + p.path();
                String before = status.getOrDefault(key, "INACTIVE");
                if (rule.kind() == Rule.Kind.ABSENT) {
                    if (before.equals("FIRING")) {
                        add(out, key, "RESOLVED", p.t(), since.get(key));
                        status.put(key, "INACTIVE");
                    }
                    continue;
                }
                boolean[] cond = new boolean[h.size()];
                for (int i = 0; i < h.size(); i++) {
                    cond[i] = rule.above() ? h.get(i).v() > rule.threshold() : h.get(i).v() < rule.threshold();
                }
                int i = h.size() - 1;
                String after;
                if (before.equals("FIRING")) {
                    long lastTrue = Long.MIN_VALUE;
                    for (int j = i; j >= 0; j--) {
                        if (cond[j]) {
                            lastTrue = h.get(j).t();
                            break;
                        }
                    }
                    after = cond[i] || p.t() - lastTrue < rule.keepFiringFor().toMillis() ? "FIRING" : "INACTIVE";
                } else if (cond[i]) {
                    int j = i;
                    while (j > 0 && cond[j - 1]) {
                        j--;
                    }
                    long runStart = h.get(j).t();
                    after = p.t() - runStart >= rule.forDuration().toMillis() ? "FIRING" : "PENDING";
                    if (after.equals("PENDING") && before.equals("INACTIVE")) {
                        since.put(key, p.t());
                    }
                } else {
                    after = "INACTIVE";
                }
                if (!after.equals(before)) {
                    switch (after) {
                        case "PENDING" -> add(out, key, "PENDING", p.t(), p.t());
                        case "FIRING" -> {
                            add(out, key, "FIRING", p.t(), p.t());
                            since.put(key, p.t());
                        }
                        default -> add(out, key, before.equals("FIRING") ? "RESOLVED" : "INACTIVE", p.t(),
                                since.get(key));
                    }
                }
                status.put(key, after);
            }
            clock = Math.max(clock, p.t());
            // every absence rule over every series seen so far, after every point
            List<String> due = new ArrayList<>();
            for (Rule rule : rules) {
                if (rule.kind() != Rule.Kind.ABSENT) {
                    continue;
                }
                for (Map.Entry<String, List<P>> e : history.entrySet()) {
                    String key = rule.name() + "|" + e.getKey();
                    List<P> hs = e.getValue();
                    if (rule.match().matches(e.getKey()) && !status.getOrDefault(key, "INACTIVE").equals("FIRING")
                            && clock - hs.get(hs.size() - 1).t() >= rule.absentFor().toMillis()) {
                        due.add(key);
                    }
                }
            }
            Collections.sort(due);
            for (String key : due) {
                add(out, key, "FIRING", clock, clock);
                status.put(key, "FIRING");
                since.put(key, clock);
            }
        }
        return out;
    }

    private static void add(Map<String, List<Tr>> out, String key, String status, long at, long startsAt) {
        out.computeIfAbsent(key, k -> new ArrayList<>()).add(new Tr(status, at, startsAt));
    }

    @Test
    void randomStreamsGiveTheOraclesTransitions() {
        long[] durations = {0, W, 2 * W, 3 * W};
        int transitions = 0;
        for (int seed = 0; seed < 60; seed++) {
            Random r = new Random(seed);
            List<Rule> rules = List.of(
                    threshold("hot", "production.*.lat.value.99", true, 5, durations[r.nextInt(4)],
                            durations[r.nextInt(4)]),
                    threshold("cold", "{production,staging}.h[0-4].lat.value.99", false, 4.5,
                            durations[r.nextInt(4)], durations[r.nextInt(4)]),
                    absent("silent", "*.*.lat.value.99", (2 + r.nextInt(4)) * W));
            List<P> points = randomStream(r, 120, 8);
            Map<String, List<Tr>> expected = oracle(rules, points);
            Map<String, List<Tr>> got = run(new PointEvaluator(rules, StateView.inMemory(), 1_000_000), points);
            assertEquals(expected, got, "seed " + seed + " rules " + rules);
            transitions += got.values().stream().mapToInt(List::size).sum();
        }
        assertTrue(transitions > 1000, "the streams exercise the rules: " + transitions + " transitions");
    }

    /**
     * The evaluator matches each series once and keeps the answer (at most {@code matchCache} series); the oracle
     * checks every rule's glob on every point. Random globs, and caches of 1, 3 and all series (16 here): the
     * same transitions, so neither the cache nor its bound changes what fires.
     */
    @Test
    void theMatchCacheGivesTheSameTransitionsAsMatchingEveryPoint() {
        String[] globs = {"production.*.lat.value.99", "*.h[0-3].lat.value.99", "{production,staging}.*.*.*.99",
            "*.*.*.value.*", "production.h1?.lat.value.99", "staging.*.lat.value.99", "*.h[!5]*.*.value.99"};
        int transitions = 0;
        for (int seed = 0; seed < 30; seed++) {
            Random r = new Random(seed);
            List<Rule> rules = new ArrayList<>();
            for (int i = 0; i < 2 + r.nextInt(5); i++) {
                String glob = globs[r.nextInt(globs.length)];
                rules.add(r.nextInt(3) == 0 ? absent("a" + i, glob, (2 + r.nextInt(3)) * W)
                        : threshold("t" + i, glob, r.nextBoolean(), 3 + r.nextInt(4), r.nextInt(3) * W,
                                r.nextInt(2) * W));
            }
            List<P> points = randomStream(r, 80, 8);
            Map<String, List<Tr>> expected = oracle(rules, points);
            for (int cache : new int[] {1, 3, 1_000}) {
                PointEvaluator e = new PointEvaluator(rules, StateView.inMemory(), 1_000_000, cache);
                assertEquals(expected, run(e, points), "seed " + seed + " cache " + cache + " rules " + rules);
                assertTrue(e.matcher().cached() <= cache);
                if (cache == 1) {
                    assertTrue(e.matcher().clears() > 0, "series past the bound were evaluated all the same");
                }
            }
            transitions += expected.values().stream().mapToInt(List::size).sum();
        }
        assertTrue(transitions > 500, "the streams exercise the rules: " + transitions + " transitions");
    }

    /**
     * Rules change only with a restart (the config is read at start); the new evaluator, on the old store, matches
     * every series against the new rules: the old rules' answers are gone with the old evaluator.
     */
    @Test
    void aRestartWithOtherRulesMatchesEverySeriesAfresh() {
        Random r = new Random(7);
        List<P> points = randomStream(r, 120, 8);
        int cut = points.size() / 2;
        StateView store = StateView.inMemory();
        List<Rule> before = List.of(threshold("hot", "production.*.lat.value.99", true, 5, 0, 0),
                absent("gone", "*.*.lat.value.99", 2 * W));
        run(new PointEvaluator(before, store, 1_000_000), points.subList(0, cut));
        List<Rule> after = List.of(threshold("cold", "staging.*.lat.value.99", false, 4, W, 0),
                threshold("hot", "staging.*.lat.value.99", true, 6, 0, 0));
        Map<String, List<Tr>> got = run(new PointEvaluator(after, store, 1_000_000), points.subList(cut,
                points.size()));
        Map<String, List<Tr>> expected = oracle(after, points.subList(cut, points.size()));
        assertTrue(expected.size() > 3, "the new rules fire: " + expected.keySet());
        assertEquals(expected, got);
    }

    @Test
    void theSameInputGivesTheSameTransitionsAlsoAcrossARestart() {
        Random r = new Random(42);
        List<Rule> rules = List.of(threshold("hot", "production.*.lat.value.99", true, 5, 2 * W, W),
                absent("silent", "production.*.lat.value.99", 3 * W));
        List<P> points = randomStream(r, 200, 10);
        List<Transition> once = new ArrayList<>();
        PointEvaluator a = new PointEvaluator(rules, StateView.inMemory(), 1_000_000);
        points.forEach(p -> {
            once.addAll(a.onPoint(p.path(), p.t(), p.v()));
            a.endRecord();
        });
        List<Transition> again = new ArrayList<>();
        StateView store = StateView.inMemory();
        PointEvaluator b = new PointEvaluator(rules, store, 1_000_000);
        int cut = points.size() / 2;
        for (int i = 0; i < points.size(); i++) {
            if (i == cut) {
                b = new PointEvaluator(rules, store, 1_000_000); // a restart: state and clock come from the store
            }
            again.addAll(b.onPoint(points.get(i).path(), points.get(i).t(), points.get(i).v()));
            b.endRecord();
        }
        assertTrue(once.size() > 50, "enough transitions to mean something: " + once.size());
        assertEquals(once, again);
    }

    /**
     * As the stage runs: points come in records of many points (a record's series go to the seen log as one
     * entry), and the stage restarts between records, on the store the last record left. Absences of 2 to 10
     * windows, so series silent longer than the seen log keeps them have their last window in their own entry.
     * The transitions are the oracle's, with or without restarts.
     */
    @Test
    void recordsOfManyPointsAndRestartsBetweenThemGiveTheOraclesTransitions() {
        int restarts = 0;
        int transitions = 0;
        for (int seed = 0; seed < 40; seed++) {
            Random r = new Random(1000 + seed);
            List<Rule> rules = List.of(
                    threshold("hot", "production.*.lat.value.99", true, 5, r.nextInt(3) * W, r.nextInt(2) * W),
                    absent("silent", "*.*.lat.value.99", (2 + r.nextInt(9)) * W),
                    absent("gone", "production.h[0-5].lat.value.99", (2 + r.nextInt(9)) * W));
            List<P> points = randomStream(r, 150, 10);
            Map<String, List<Tr>> expected = oracle(rules, points);
            StateView store = StateView.inMemory();
            PointEvaluator e = new PointEvaluator(rules, store, 1_000_000);
            Map<String, List<Tr>> got = new TreeMap<>();
            for (int i = 0; i < points.size(); ) {
                int end = Math.min(points.size(), i + 1 + r.nextInt(12));
                for (; i < end; i++) {
                    collect(got, e.onPoint(points.get(i).path(), points.get(i).t(), points.get(i).v()));
                }
                e.endRecord();
                if (r.nextInt(15) == 0) {
                    e = new PointEvaluator(rules, store, 1_000_000);
                    restarts++;
                }
            }
            assertEquals(expected, got, "seed " + seed + " rules " + rules);
            assertEquals(0, e.corrupt());
            transitions += got.values().stream().mapToInt(List::size).sum();
        }
        assertTrue(restarts > 100, "restarts " + restarts);
        assertTrue(transitions > 1000, "the streams exercise the rules: " + transitions + " transitions");
    }

    /**
     * A fleet that reports every window writes no entry per series: one seen-log entry per record, each dropped
     * three windows later. A series that goes silent gets one entry, which its absence firing rewrites.
     */
    @Test
    void aFleetReportingEveryWindowCostsOneStoreWritePerRecord() {
        Map<String, Integer> puts = new HashMap<>();
        StateView map = StateView.inMemory();
        StateView counting = new StateView() {
            @Override
            public byte[] get(String key) {
                return map.get(key);
            }

            @Override
            public void put(String key, byte[] value) {
                puts.merge(key.startsWith(PointEvaluator.SEEN_PREFIX) ? "seen"
                        : key.equals(PointEvaluator.CLOCK_KEY) ? "clock" : key, 1, Integer::sum);
                map.put(key, value);
            }

            @Override
            public void delete(String key) {
                map.delete(key);
            }

            @Override
            public void forEach(java.util.function.BiConsumer<String, byte[]> action) {
                map.forEach(action);
            }
        };
        PointEvaluator e = new PointEvaluator(List.of(absent("gone", "*.*.*", 6 * W)), counting, 1_000_000);
        List<Transition> fired = new ArrayList<>();
        for (int w = 0; w < 40; w++) {
            for (int h = 0; h < 20; h++) {
                for (int s = 0; s < 5; s++) {
                    if (h != 7 || w < 10) { // h7 goes silent after window 9
                        fired.addAll(e.onPoint("production.h" + h + ".s" + s, T0 + w * W, 1));
                    }
                }
                e.endRecord();
            }
        }
        assertEquals(800 - 30, puts.get("seen"), "one entry per record (host and window) with points");
        assertEquals(Set.of("seen", "clock", "production.h7.s0", "production.h7.s1", "production.h7.s2",
                "production.h7.s3", "production.h7.s4"), puts.keySet());
        assertEquals(2, puts.get("production.h7.s0"), "its last window once silent, then its absence firing");
        assertEquals(5, fired.size());
        assertEquals(100, e.tracked());
        int[] log = {0};
        map.forEach((k, v) -> log[0] += k.startsWith(PointEvaluator.SEEN_PREFIX) ? 1 : 0);
        assertTrue(log[0] <= 20 * 4, "entries older than three windows are gone: " + log[0]);
    }

    /** A record with more series than one seen-log entry holds writes several, each under the bound. */
    @Test
    void aRecordOfManyLongPathsIsSeveralSeenEntries() {
        StateView store = StateView.inMemory();
        List<Rule> rules = List.of(absent("gone", "*.*", 2 * W));
        PointEvaluator a = new PointEvaluator(rules, store, 10_000);
        String longNode = "n".repeat(200);
        for (int i = 0; i < 3_000; i++) {
            a.onPoint("h" + i + "." + longNode, T0, 1);
        }
        a.endRecord();
        int[] entries = {0};
        store.forEach((k, v) -> {
            if (k.startsWith(PointEvaluator.SEEN_PREFIX)) {
                entries[0]++;
                assertTrue(v.length <= PointEvaluator.SEEN_MAX_BYTES, k + ": " + v.length + " bytes");
            }
        });
        assertTrue(entries[0] >= 3, "entries " + entries[0]);
        PointEvaluator b = new PointEvaluator(rules, store, 10_000); // a restart reads them all back
        assertEquals(3_000, b.tracked());
        assertEquals(3_000, b.onClock(T0 + 2 * W).size());
    }

    /**
     * A rule whose glob no longer covers a series (changed with a restart) leaves no state of it behind: its
     * absence does not fire for the series it used to cover.
     */
    @Test
    void aStateOfARuleThatNoLongerCoversTheSeriesIsDropped() {
        StateView store = StateView.inMemory();
        PointEvaluator a = new PointEvaluator(List.of(absent("gone", "*.*", 10 * W)), store, 1_000);
        a.onPoint("a.b", T0, 1);
        a.endRecord();
        a.onClock(T0 + 5 * W); // past the seen log's time: a.b's last window is in its own entry
        assertTrue(store.get("a.b") != null);
        PointEvaluator b = new PointEvaluator(List.of(absent("gone", "x.*", 10 * W)), store, 1_000);
        assertEquals(null, store.get("a.b"));
        assertEquals(0, b.tracked());
        assertEquals(List.of(), b.onClock(T0 + 20 * W));
    }

    /** A seen-log entry this version cannot read is counted and deleted at start; the rest of the store stays. */
    @Test
    void anUnreadableSeenEntryIsCountedAndDropped() {
        StateView store = StateView.inMemory();
        List<Rule> rules = List.of(absent("gone", "*.*", 2 * W));
        PointEvaluator a = new PointEvaluator(rules, store, 1_000);
        a.onPoint("a.b", T0, 1);
        a.endRecord();
        store.put(PointEvaluator.SEEN_PREFIX + "00000000000000ff", new byte[] {9, 1, 2});
        store.put(PointEvaluator.SEEN_PREFIX + "0000000000000100", new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 5});
        PointEvaluator b = new PointEvaluator(rules, store, 1_000);
        assertEquals(2, b.corrupt());
        assertEquals(1, b.tracked());
        assertEquals(List.of(), b.onClock(T0 + W));
        assertEquals(1, b.onClock(T0 + 2 * W).size(), "a.b's window survived the bad entries beside it");
    }

    /**
     * Two identities named by one path, {@code b.a.lat} (host {@code a.b} without an environment, host {@code a} in
     * {@code b}), are one series to the rules: a state one of them ends is ended for the other (the memory the
     * matcher links per identity is not kept past it).
     */
    @Test
    void identitiesOfOnePathShareTheirStates() {
        dev.riffle.core.Statistic value = dev.riffle.core.Statistic.value();
        dev.riffle.core.SeriesId one = dev.riffle.core.SeriesId.host("", "a.b", "lat", value);
        dev.riffle.core.SeriesId two = dev.riffle.core.SeriesId.host("b", "a", "lat", value);
        PointEvaluator e = new PointEvaluator(List.of(threshold("hot", "b.a.lat", true, 5, 0, 0)),
                StateView.inMemory(), 1_000);
        assertEquals(Transition.Status.FIRING, e.onPoint(one, T0, 9, true).get(0).status());
        assertEquals(1, e.tracked());
        assertEquals(Transition.Status.RESOLVED, e.onPoint(two, T0 + W, 1, true).get(0).status());
        assertEquals(0, e.tracked());
        assertEquals(Transition.Status.FIRING, e.onPoint(one, T0 + 2 * W, 9, true).get(0).status());
        assertEquals(List.of(), e.onPoint(two, T0 + 3 * W, 9, true), "still firing, whichever names it");
        assertEquals(1, e.tracked());
        assertEquals(Transition.Status.RESOLVED, e.onPoint(one, T0 + 4 * W, 1, true).get(0).status());
        assertEquals(0, e.tracked());
    }

    @Test
    void ownOccurrencesAndOutOfOrderPointsChangeNothing() {
        List<Rule> rules = List.of(threshold("hot", "*.*", true, 5, 0, 0), absent("gone", "*.*", W));
        PointEvaluator e = new PointEvaluator(rules, StateView.inMemory(), 1_000_000);
        assertEquals(1, e.onPoint("a.b", T0, 9).size()); // fires at once
        assertEquals(List.of(), e.onPoint("riffle.alerts.hot", T0 + 100 * W, 1.0)); // never evaluated, no clock move
        assertEquals(List.of(), e.onPoint("\u0001seen.0000000000000000", T0 + 100 * W, 9)); // would be a store key
        assertEquals(List.of(), e.onPoint("a.b", T0, 1)); // same window again: ignored
        assertEquals(2, e.outOfOrder()); // once per rule that covers the series
        assertEquals(T0, e.clock());
    }

    @Test
    void theBoundOnTrackedSeriesIsKeptAndCounted() {
        List<Rule> rules = List.of(absent("gone", "*.*", W), threshold("hot", "*.*", true, 0, 0, 0));
        PointEvaluator e = new PointEvaluator(rules, StateView.inMemory(), 10);
        int firing = 0;
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 25; i++) {
                firing += e.onPoint("s.n" + i, T0 + round, 1).size();
            }
        }
        assertEquals(10, e.tracked());
        assertEquals(30, e.untracked(), "15 series past the bound, twice");
        assertEquals(10, firing, "only tracked series fire, and once: no repeat for series that cannot be kept");
    }

    @Test
    void stateChangesAgainstAnOracle() {
        Rule critical = new Rule("crit", Rule.Kind.STATE, null, false, Double.NaN, Duration.ZERO, Duration.ZERO,
                Duration.ZERO, Set.of("critical"), Map.of(), null);
        Rule bad = new Rule("bad", Rule.Kind.STATE, GraphiteGlob.compile("h[0-2].*"), false, Double.NaN,
                Duration.ZERO, Duration.ZERO, Duration.ZERO, Set.of("warning", "critical"), Map.of(), null);
        String[] states = {"ok", "warning", "critical", null, "OK", "Critical"};
        int total = 0;
        for (int seed = 0; seed < 30; seed++) {
            Random r = new Random(seed);
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                events.add(new Event((T0 + i * 100L) * 1000, "h" + r.nextInt(5), "svc" + r.nextInt(2),
                        states[r.nextInt(states.length)], null, List.of(), Map.of(), null, null));
            }
            StateEvaluator e = new StateEvaluator(List.of(critical, bad), StateView.inMemory(), 1_000_000);
            List<String> got = new ArrayList<>();
            for (Event ev : events) {
                e.onEvent(ev).forEach(t -> got.add(t.key() + " " + t.status() + " " + t.atMs()));
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                Event ev = events.get(i);
                if (ev.state() == null) {
                    continue;
                }
                String previous = "ok";
                for (int j = i - 1; j >= 0; j--) {
                    Event before = events.get(j);
                    if (before.host().equals(ev.host()) && before.service().equals(ev.service())
                            && before.state() != null) {
                        previous = before.state().toLowerCase();
                        break;
                    }
                }
                String now = ev.state().toLowerCase();
                for (Rule rule : List.of(critical, bad)) {
                    String path = ev.host() + "." + ev.service();
                    if (rule.match() != null && !rule.match().matches(path)) {
                        continue;
                    }
                    boolean was = rule.states().contains(previous);
                    boolean is = rule.states().contains(now);
                    if (was != is) {
                        expected.add(rule.name() + "|" + path + " " + (is ? "FIRING" : "RESOLVED") + " "
                                + ev.timeMillis());
                    }
                }
            }
            assertEquals(expected, got, "seed " + seed);
            total += got.size();
        }
        assertTrue(total > 500, "state changes exercised: " + total);
    }
}
