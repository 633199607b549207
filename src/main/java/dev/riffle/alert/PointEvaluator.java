package dev.riffle.alert;

import dev.riffle.config.Durations;
import dev.riffle.core.SeriesId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Threshold and absence rules over the points of one partition, in event time only: a point's window start is
 * its time, and the partition's clock is the newest window start seen in a point or a clock entry (the topology
 * writes one into every partition as its windows close, so the clock moves while every series is silent; kept in
 * the store, so a restart or a replay of the same points gives the same transitions). Nothing here reads the wall
 * clock.
 *
 * <p>Per point: each matching threshold rule moves its (rule, series) state (inactive -> pending -> firing ->
 * resolved; pending -> inactive when the condition fails before {@code for}); each matching absence rule notes
 * the series' last window and resolves it if it was firing. When the clock moves, every absence state whose
 * series' last window lies {@code absent_for} or more behind the clock fires, stamped with the clock.
 *
 * <p>States are stored per series (one store entry, key = the path, holding every rule's state of it) for
 * pending/firing threshold alerts and for every series an absence rule covers; at most {@code maxSeries} series,
 * past that new series are counted in {@link #untracked()} and not kept.
 */
final class PointEvaluator {
    /** Where the partition's clock is kept; sorts before every rule name. */
    static final String CLOCK_KEY = "\u0000clock";
    /** Occurrence paths the evaluator itself writes to the points topic: never evaluated, never move the clock. */
    static final String OWN_PREFIX = "riffle.alerts.";
    /** series whose matching rules an evaluator remembers, unless told otherwise */
    static final int MATCH_CACHE = 200_000;
    private static final int[] NONE = new int[0];

    private final List<Rule> rules = new ArrayList<>();
    private final Map<String, Rule> byName = new HashMap<>();
    private final StateView store;
    private final long maxSeries;
    /** which rules cover a series, matched once per series */
    private final RuleMatcher matcher;
    /** the states of the series of the point being evaluated, by rule name */
    private Map<String, SeriesState> current;
    private boolean dirty;
    private long clock = Long.MIN_VALUE;
    /** a lower bound of the earliest time an absence state may fire: no scan before the clock reaches it */
    private long nextDeadline = Long.MIN_VALUE;
    private long tracked;
    private long untracked;
    private long outOfOrder;
    private long corrupt;

    PointEvaluator(List<Rule> allRules, StateView store, long maxSeries) {
        this(allRules, store, maxSeries, MATCH_CACHE);
    }

    /** @param matchCache series whose matching rules are kept (see {@link RuleMatcher}) */
    PointEvaluator(List<Rule> allRules, StateView store, long maxSeries, int matchCache) {
        for (Rule r : allRules) {
            if (r.kind() != Rule.Kind.STATE) {
                rules.add(r);
                byName.put(r.name(), r);
            }
        }
        this.matcher = new RuleMatcher(rules, matchCache);
        this.store = store;
        this.maxSeries = maxSeries;
        byte[] c = store.get(CLOCK_KEY);
        if (c != null) {
            clock = Long.parseLong(new String(c, StandardCharsets.US_ASCII));
        }
        long[] count = {0};
        store.forEach((k, v) -> {
            if (!k.equals(CLOCK_KEY)) {
                count[0]++;
            }
        });
        tracked = count[0];
    }

    boolean hasRules() {
        return !rules.isEmpty();
    }

    /** The transitions one point causes, in a fixed order (rules in config order, then absences by key). */
    List<Transition> onPoint(String path, long timeMs, double value) {
        return onPoint(path, timeMs, value, true);
    }

    /**
     * As {@link #onPoint(String, long, double)}; {@code movesClock} false for a point whose time is not the
     * topology's (the sink's own figures, stamped by its wall clock): it is evaluated, but the clock stays.
     */
    List<Transition> onPoint(String path, long timeMs, double value, boolean movesClock) {
        if (path == null || path.startsWith(OWN_PREFIX) || Double.isNaN(value)) {
            return List.of();
        }
        return evaluate(path, matcher.matching(path), timeMs, value, movesClock);
    }

    /**
     * The same for a series given by its identity: its path and rules are one lookup once it has been seen;
     * {@code movesClock} as for {@link #onPoint(String, long, double, boolean)}.
     */
    List<Transition> onPoint(SeriesId id, long timeMs, double value, boolean movesClock) {
        if (Double.isNaN(value)) {
            return List.of();
        }
        RuleMatcher.Named named = matcher.named(id);
        if (named.path() == null || named.path().startsWith(OWN_PREFIX)) {
            return List.of();
        }
        return evaluate(named.path(), named.hit(), timeMs, value, movesClock);
    }

    private List<Transition> evaluate(String path, int[] hit, long timeMs, double value, boolean movesClock) {
        List<Transition> out = new ArrayList<>(0);
        if (hit.length > 0) {
            // every rule's state of one series is one store entry: one read and at most one write per point
            byte[] bytes = store.get(path);
            if (bytes == null && tracked >= maxSeries) {
                untracked++; // past the bound a new series is not evaluated (its alerts could not be kept)
                hit = NONE;
            }
            current = bytes == null ? new LinkedHashMap<>(4) : SeriesState.decodeAll(bytes);
            if (current == null) {
                corrupt++;
                current = new LinkedHashMap<>(4);
            }
            boolean stored = bytes != null;
            dirty = false;
            for (int i : hit) {
                Rule rule = rules.get(i);
                if (rule.kind() == Rule.Kind.THRESHOLD) {
                    threshold(rule, path, timeMs, value, out);
                } else {
                    seen(rule, path, timeMs, value, out);
                }
            }
            if (dirty) {
                if (current.isEmpty()) {
                    store.delete(path);
                    tracked--;
                } else if (stored || tracked < maxSeries) {
                    store.put(path, SeriesState.encodeAll(current));
                    tracked += stored ? 0 : 1;
                } else {
                    untracked++; // a new series past the bound: not kept, its transitions stand
                }
            }
            current = null;
        }
        if (movesClock) {
            advance(timeMs, out);
        }
        return out;
    }

    /**
     * The transitions a clock entry of the points topic causes: every point of the windows through {@code timeMs}
     * has come, so the clock moves there even when no series of this partition reported (issue 18).
     */
    List<Transition> onClock(long timeMs) {
        List<Transition> out = new ArrayList<>(0);
        advance(timeMs, out);
        return out;
    }

    private void advance(long timeMs, List<Transition> out) {
        if (timeMs > clock) {
            clock = timeMs;
            store.put(CLOCK_KEY, Long.toString(clock).getBytes(StandardCharsets.US_ASCII));
            if (clock >= nextDeadline) {
                scanAbsences(out);
            }
        }
    }

    private void threshold(Rule rule, String path, long t, double v, List<Transition> out) {
        String key = rule.name();
        SeriesState s = current.get(key);
        if (s != null && t <= s.lastSeenMs()) {
            outOfOrder++;
            return;
        }
        boolean cond = rule.above() ? v > rule.threshold() : v < rule.threshold();
        SeriesState.Status status = s == null ? SeriesState.Status.INACTIVE : s.status();
        switch (status) {
            case INACTIVE -> {
                if (!cond) {
                    return;
                }
                if (rule.forDuration().isZero()) {
                    save(key, s, new SeriesState(SeriesState.Status.FIRING, t, t, t, v));
                    out.add(transition(rule, path, Transition.Status.FIRING, t, t, v));
                } else {
                    save(key, s, new SeriesState(SeriesState.Status.PENDING, t, t, t, v));
                    out.add(transition(rule, path, Transition.Status.PENDING, t, t, v));
                }
            }
            case PENDING -> {
                if (!cond) {
                    remove(key);
                    out.add(transition(rule, path, Transition.Status.INACTIVE, t, s.sinceMs(), v));
                } else if (t - s.sinceMs() >= rule.forDuration().toMillis()) {
                    save(key, s, new SeriesState(SeriesState.Status.FIRING, t, t, t, v));
                    out.add(transition(rule, path, Transition.Status.FIRING, t, t, v));
                } else {
                    save(key, s, new SeriesState(SeriesState.Status.PENDING, s.sinceMs(), t, t, v));
                }
            }
            case FIRING -> {
                if (cond) {
                    save(key, s, new SeriesState(SeriesState.Status.FIRING, s.sinceMs(), t, t, v));
                } else if (t - s.lastTrueMs() >= rule.keepFiringFor().toMillis()) {
                    remove(key);
                    out.add(transition(rule, path, Transition.Status.RESOLVED, t, s.sinceMs(), v));
                } else {
                    save(key, s, new SeriesState(SeriesState.Status.FIRING, s.sinceMs(), s.lastTrueMs(), t, v));
                }
            }
        }
    }

    private void seen(Rule rule, String path, long t, double v, List<Transition> out) {
        String key = rule.name();
        SeriesState s = current.get(key);
        if (s != null && t <= s.lastSeenMs()) {
            outOfOrder++;
            return;
        }
        if (s != null && s.status() == SeriesState.Status.FIRING) {
            out.add(transition(rule, path, Transition.Status.RESOLVED, t, s.sinceMs(), v));
        }
        if (save(key, s, new SeriesState(SeriesState.Status.INACTIVE, t, t, t, v))
                && nextDeadline != Long.MIN_VALUE) { // MIN_VALUE: not scanned since start, the next move scans
            nextDeadline = Math.min(nextDeadline, t + rule.absentFor().toMillis());
        }
    }

    /** Fires every absence that is due; drops states of rules no longer configured; recomputes the deadline. */
    private void scanAbsences(List<Transition> out) {
        long[] next = {Long.MAX_VALUE};
        Map<String, Map<String, SeriesState>> changed = new LinkedHashMap<>();
        store.forEach((path, bytes) -> {
            if (path.equals(CLOCK_KEY)) {
                return;
            }
            Map<String, SeriesState> states = SeriesState.decodeAll(bytes);
            if (states == null) {
                corrupt++;
                changed.put(path, Map.of());
                return;
            }
            boolean change = states.keySet().removeIf(name -> !byName.containsKey(name));
            for (Map.Entry<String, SeriesState> e : states.entrySet()) {
                Rule rule = byName.get(e.getKey());
                SeriesState s = e.getValue();
                if (rule.kind() != Rule.Kind.ABSENT || s.status() != SeriesState.Status.INACTIVE) {
                    continue;
                }
                long due = s.lastSeenMs() + rule.absentFor().toMillis();
                if (clock >= due) {
                    e.setValue(new SeriesState(SeriesState.Status.FIRING, clock, s.lastTrueMs(), s.lastSeenMs(),
                            s.value()));
                    out.add(transition(rule, path, Transition.Status.FIRING, clock, clock, Double.NaN));
                    change = true;
                } else {
                    next[0] = Math.min(next[0], due);
                }
            }
            if (change) {
                changed.put(path, states);
            }
        });
        changed.forEach((path, states) -> {
            if (states.isEmpty()) {
                store.delete(path);
                tracked--;
            } else {
                store.put(path, SeriesState.encodeAll(states));
            }
        });
        nextDeadline = next[0];
    }

    private void remove(String rule) {
        current.remove(rule);
        dirty = true;
    }

    /** @return false when the series is new and the bound is reached (counted when written back) */
    private boolean save(String rule, SeriesState old, SeriesState state) {
        current.put(rule, state);
        dirty = true;
        return old != null || tracked < maxSeries;
    }

    private Transition transition(Rule rule, String path, Transition.Status status, long at, long startsAt, double v) {
        Map<String, String> labels = new LinkedHashMap<>(rule.labels());
        String[] nodes = RuleMatcher.split(path);
        int hostNode = -1;
        for (int i = 0; i < nodes.length; i++) {
            if (!rule.match().isLiteralNode(i)) {
                hostNode = i;
                break;
            }
        }
        if (hostNode < 0) {
            hostNode = nodes.length > 1 ? 1 : 0;
        }
        String host = nodes[hostNode];
        String service = String.join(".", java.util.Arrays.asList(nodes).subList(hostNode + 1, nodes.length));
        labels.put("alertname", rule.name());
        labels.put("series", path);
        labels.put("host", host);
        labels.put("service", service);
        Map<String, String> vars = new HashMap<>();
        vars.put("rule", rule.name());
        vars.put("series", path);
        vars.put("host", host);
        vars.put("service", service);
        vars.put("value", Double.isNaN(v) ? "none" : Summary.number(v));
        vars.put("threshold", Double.isNaN(rule.threshold()) ? "" : Summary.number(rule.threshold()));
        vars.put("absent_for", Durations.format(rule.absentFor()));
        vars.put("for", Durations.format(rule.forDuration()));
        vars.put("state", "");
        return new Transition(rule.name(), path, status, at, startsAt, v, Map.copyOf(labels),
                Summary.fill(rule.summaryTemplate(), vars));
    }

    long clock() {
        return clock;
    }

    long tracked() {
        return tracked;
    }

    long untracked() {
        return untracked;
    }

    long outOfOrder() {
        return outOfOrder;
    }

    long corrupt() {
        return corrupt;
    }

    RuleMatcher matcher() {
        return matcher;
    }
}
