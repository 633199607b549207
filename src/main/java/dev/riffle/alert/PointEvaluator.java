package dev.riffle.alert;

import dev.riffle.config.Durations;
import dev.riffle.core.SeriesId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
 * <p>The store holds, besides the clock:
 * <ul>
 * <li>per series (key = the path, {@link SeriesState} version 3 holding every rule's state of it) only what is
 * not ordinary: pending and firing alerts, and the last window of a series an absence rule covers once it has
 * been silent longer than the seen log keeps it;</li>
 * <li>the seen log: one entry per points record (key {@link #SEEN_PREFIX} + a sequence number; format in
 * {@link #encodeSeen}) listing the series an absence rule covers that it carried, with their windows. An entry
 * is dropped {@link #SEEN_KEPT_MS} after its newest window; each of its series not seen since then gets its
 * last window written into its own entry at that moment. A fleet that reports every window so costs one store
 * write per record, not one per point.</li>
 * </ul>
 * In memory, per series an absence rule covers or with a stored entry, its last window and when its earliest
 * absence is due (about 100 bytes): a clock move looks at those, never at the store. At most {@code maxSeries}
 * series are tracked; past that a new series is counted in {@link #untracked()} and not evaluated.
 *
 * <p>A record's series go to the seen log at {@link #endRecord()}, which the caller calls after each points
 * record (a restart comes between records, so it finds the store as the last record left it).
 */
final class PointEvaluator {
    /** Where the partition's clock is kept; sorts before every rule name. */
    static final String CLOCK_KEY = "\u0000clock";
    /** The seen log's keys: after the clock, before every path (paths are printable). */
    static final String SEEN_PREFIX = "\u0001seen.";
    /** How long past its newest window a seen-log entry is kept: three windows, so a series that reports every
     * window has been seen again by then and needs no entry of its own. */
    static final long SEEN_KEPT_MS = 15_000;
    private static final byte SEEN_VERSION = 1;
    /** A seen-log entry's bytes at most (a record with more series writes several): far under a changelog
     * record's limit (the broker's 1 MB) whatever the paths' lengths. */
    static final int SEEN_MAX_BYTES = 256 * 1024;
    /** Occurrence paths the evaluator itself writes to the points topic: never evaluated, never move the clock. */
    static final String OWN_PREFIX = "riffle.alerts.";
    /** series whose matching rules an evaluator remembers, unless told otherwise */
    static final int MATCH_CACHE = 200_000;

    private final List<Rule> rules = new ArrayList<>();
    private final Map<String, Rule> byName = new HashMap<>();
    private final StateView store;
    private final long maxSeries;
    /** which rules cover a series, matched once per series */
    private final RuleMatcher matcher;
    /** the tracked series: every series an absence rule covers (once seen) and every series with a stored entry */
    private final HashMap<String, Memo> memos = new HashMap<>();
    /** the seen log's entries still kept, oldest first */
    private final ArrayDeque<SeenEntry> seenLog = new ArrayDeque<>();
    /** the series (an absence rule covers) seen in the current record, and their windows: the next seen entry */
    private final ArrayList<String> pendingPaths = new ArrayList<>();
    private long[] pendingTimes = new long[64];
    private long nextSeq;
    /** the states of the series of the point being evaluated, by rule name */
    private Map<String, SeriesState> current;
    private boolean dirty;
    private long clock = Long.MIN_VALUE;
    /** a lower bound of the earliest time an absence state may fire: no scan before the clock reaches it */
    private long nextDeadline = Long.MIN_VALUE;
    private long untracked;
    private long outOfOrder;
    private long corrupt;

    /** What is known of a tracked series without reading the store. */
    static final class Memo {
        final int[] hit;
        /** its last window (an absence rule covers it), MIN_VALUE if none */
        long seen = Long.MIN_VALUE;
        /** the last window its own entry holds, MIN_VALUE if none */
        long persisted = Long.MIN_VALUE;
        /** the earliest time one of its absence states that is not firing fires (a lower bound), MAX_VALUE if none */
        long due = Long.MAX_VALUE;
        /** it has an entry of its own */
        boolean stored;
        /** no longer tracked (a link to it from a {@link RuleMatcher.Named} is stale) */
        boolean dropped;

        Memo(int[] hit) {
            this.hit = hit;
        }
    }

    /** A seen-log entry: its key, its newest window, and its series with their windows. */
    private record SeenEntry(String key, long newest, String[] paths, long[] times) {
    }

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
        load();
    }

    /**
     * Rebuilds the memory from the store: the clock, the seen log, every series' entry (states of rules no longer
     * configured are dropped, entries this version cannot read are counted and deleted).
     */
    private void load() {
        byte[] c = store.get(CLOCK_KEY);
        if (c != null) {
            clock = Long.parseLong(new String(c, StandardCharsets.US_ASCII));
        }
        List<String> deletes = new ArrayList<>();
        Map<String, byte[]> rewrites = new LinkedHashMap<>();
        store.forEach((key, bytes) -> {
            if (key.equals(CLOCK_KEY)) {
                return;
            }
            if (key.startsWith(SEEN_PREFIX)) {
                SeenEntry e = decodeSeen(key, bytes);
                if (e == null) {
                    corrupt++;
                    deletes.add(key);
                    return;
                }
                seenLog.add(e);
                nextSeq = Math.max(nextSeq, Long.parseUnsignedLong(key.substring(SEEN_PREFIX.length()), 16) + 1);
                for (int i = 0; i < e.paths.length; i++) {
                    Memo m = memos.get(e.paths[i]);
                    if (m == null) {
                        int[] hit = matcher.match(e.paths[i]);
                        if (!hasAbsence(hit)) {
                            continue; // no absence rule covers it any more
                        }
                        m = new Memo(hit);
                        memos.put(e.paths[i], m);
                    }
                    m.seen = Math.max(m.seen, e.times[i]);
                }
                return;
            }
            Map<String, SeriesState> states = SeriesState.decodeAll(bytes);
            if (states == null) {
                corrupt++;
                deletes.add(key);
                return;
            }
            Memo known = memos.get(key);
            int[] hit = known != null ? known.hit : matcher.match(key);
            if (states.keySet().removeIf(name -> !covers(hit, name))) { // rules gone or no longer over the series
                if (states.isEmpty()) {
                    deletes.add(key);
                    return;
                }
                rewrites.put(key, SeriesState.encodeAll(states));
            }
            Memo m = known != null ? known : new Memo(hit);
            memos.put(key, m);
            m.stored = true;
            states.forEach((name, s) -> {
                if (byName.get(name).kind() == Rule.Kind.ABSENT) {
                    m.persisted = Math.max(m.persisted, s.lastSeenMs());
                }
            });
            m.seen = Math.max(m.seen, m.persisted);
        });
        deletes.forEach(store::delete);
        rewrites.forEach(store::put);
        // firing absences count as due here: the first scan reads their entries and puts their due right
        memos.values().forEach(m -> m.due = due(m, null));
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
     * topology's (the sink's own figures, stamped by its wall clock): it is evaluated, but the clock stays. The
     * caller ends the record ({@link #endRecord()}) after its last point and clock entry.
     */
    List<Transition> onPoint(String path, long timeMs, double value, boolean movesClock) {
        if (!evaluated(path) || Double.isNaN(value)) {
            return List.of();
        }
        return evaluate(path, matcher.matching(path), null, timeMs, value, movesClock);
    }

    /**
     * The same for a series given by its identity: its path and rules are one lookup once it has been seen;
     * {@code movesClock} and the record's end as for {@link #onPoint(String, long, double, boolean)}.
     */
    List<Transition> onPoint(SeriesId id, long timeMs, double value, boolean movesClock) {
        if (Double.isNaN(value)) {
            return List.of();
        }
        RuleMatcher.Named named = matcher.named(id);
        if (!evaluated(named.path())) {
            return List.of();
        }
        return evaluate(named.path(), named.hit(), named, timeMs, value, movesClock);
    }

    /**
     * Not the evaluator's own occurrences, and not a path that starts with a control character (it could be taken
     * for the store's own keys, the clock and the seen log; carbon would not take it as it is either).
     */
    private static boolean evaluated(String path) {
        return path != null && !path.isEmpty() && path.charAt(0) >= ' ' && !path.startsWith(OWN_PREFIX);
    }

    /**
     * Writes the seen-log entry of the record whose points were just evaluated (if it saw any such series; several
     * entries if they would pass {@link #SEEN_MAX_BYTES}).
     */
    void endRecord() {
        int n = pendingPaths.size();
        for (int from = 0; from < n; ) {
            int to = from;
            long bytes = 1;
            while (to < n && (to == from || bytes + seenBytes(pendingPaths.get(to)) <= SEEN_MAX_BYTES)) {
                bytes += seenBytes(pendingPaths.get(to++));
            }
            String[] paths = pendingPaths.subList(from, to).toArray(new String[0]);
            long[] times = Arrays.copyOfRange(pendingTimes, from, to);
            long newest = Long.MIN_VALUE;
            for (long t : times) {
                newest = Math.max(newest, t);
            }
            String key = SEEN_PREFIX + String.format("%016x", nextSeq++);
            store.put(key, encodeSeen(paths, times));
            seenLog.add(new SeenEntry(key, newest, paths, times));
            from = to;
        }
        pendingPaths.clear();
    }

    /** A series' bytes in a seen-log entry at most: its path in UTF-8, its length, a run's window and count. */
    private static long seenBytes(String path) {
        return 3L * path.length() + Integer.BYTES + Long.BYTES + Integer.BYTES;
    }

    /** @param named the matcher's entry of the series, which links its memo (null: look it up) */
    private List<Transition> evaluate(String path, int[] hit, RuleMatcher.Named named, long timeMs, double value,
            boolean movesClock) {
        List<Transition> out = new ArrayList<>(0);
        if (hit.length > 0) {
            Memo m = named == null || named.memo == null || named.memo.dropped ? memos.get(path) : named.memo;
            if (m == null && memos.size() >= maxSeries) {
                untracked++; // past the bound a new series is not evaluated (its alerts could not be kept)
            } else {
                m = evaluate(path, m, hit, timeMs, value, out);
                if (named != null) {
                    named.memo = m;
                }
            }
        }
        if (movesClock) {
            advance(timeMs, out);
        }
        return out;
    }

    /** @return the series' memo after the point (null: not tracked) */
    private Memo evaluate(String path, Memo m, int[] hit, long t, double v, List<Transition> out) {
        // every rule's state of one series is one store entry, read only when it has one
        current = read(path, m);
        dirty = false;
        boolean absence = hasAbsence(hit);
        boolean late = absence && m != null && t <= m.seen;
        for (int i : hit) {
            Rule rule = rules.get(i);
            if (rule.kind() == Rule.Kind.THRESHOLD) {
                threshold(rule, path, t, v, out);
            } else if (late) {
                outOfOrder++;
            } else {
                seen(rule, path, t, v, out);
            }
        }
        if (absence && !late) {
            if (m == null) {
                m = new Memo(hit);
                memos.put(path, m);
            }
            m.seen = t;
            m.persisted = Long.MIN_VALUE;
            m.due = due(m, null);
            if (nextDeadline != Long.MIN_VALUE) { // MIN_VALUE: not scanned since start, the next move scans
                nextDeadline = Math.min(nextDeadline, m.due);
            }
            int n = pendingPaths.size();
            if (n == pendingTimes.length) {
                pendingTimes = Arrays.copyOf(pendingTimes, n * 2);
            }
            pendingPaths.add(path);
            pendingTimes[n] = t;
        }
        if (dirty) {
            if (current.isEmpty()) {
                if (m != null && m.stored) {
                    store.delete(path);
                    m.stored = false;
                    if (m.seen == Long.MIN_VALUE) {
                        memos.remove(path); // a threshold-only series with nothing pending or firing
                        m.dropped = true;
                        m = null;
                    }
                }
            } else {
                if (m == null) {
                    m = new Memo(hit);
                    memos.put(path, m);
                }
                store.put(path, SeriesState.encodeAll(current));
                m.stored = true;
            }
        }
        current = null;
        return m;
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
            expireSeen();
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
                    save(key, new SeriesState(SeriesState.Status.FIRING, t, t, t, v));
                    out.add(transition(rule, path, Transition.Status.FIRING, t, t, v));
                } else {
                    save(key, new SeriesState(SeriesState.Status.PENDING, t, t, t, v));
                    out.add(transition(rule, path, Transition.Status.PENDING, t, t, v));
                }
            }
            case PENDING -> {
                if (!cond) {
                    remove(key);
                    out.add(transition(rule, path, Transition.Status.INACTIVE, t, s.sinceMs(), v));
                } else if (t - s.sinceMs() >= rule.forDuration().toMillis()) {
                    save(key, new SeriesState(SeriesState.Status.FIRING, t, t, t, v));
                    out.add(transition(rule, path, Transition.Status.FIRING, t, t, v));
                } else {
                    save(key, new SeriesState(SeriesState.Status.PENDING, s.sinceMs(), t, t, v));
                }
            }
            case FIRING -> {
                if (cond) {
                    save(key, new SeriesState(SeriesState.Status.FIRING, s.sinceMs(), t, t, v));
                } else if (t - s.lastTrueMs() >= rule.keepFiringFor().toMillis()) {
                    remove(key);
                    out.add(transition(rule, path, Transition.Status.RESOLVED, t, s.sinceMs(), v));
                } else {
                    save(key, new SeriesState(SeriesState.Status.FIRING, s.sinceMs(), s.lastTrueMs(), t, v));
                }
            }
        }
    }

    /** A point of a series an absence rule covers: a firing absence resolves; the series' own state goes (its
     * window is in the seen log now). */
    private void seen(Rule rule, String path, long t, double v, List<Transition> out) {
        SeriesState s = current.get(rule.name());
        if (s == null) {
            return;
        }
        if (s.status() == SeriesState.Status.FIRING) {
            out.add(transition(rule, path, Transition.Status.RESOLVED, t, s.sinceMs(), v));
        }
        remove(rule.name());
    }

    /**
     * Fires every absence that is due, series by path, rules in config order; puts each series' due right (firing
     * rules left out) and recomputes the deadline. Reads only the entries of series with something due.
     */
    private void scanAbsences(List<Transition> out) {
        List<String> due = new ArrayList<>();
        long next = Long.MAX_VALUE;
        for (Map.Entry<String, Memo> e : memos.entrySet()) {
            if (e.getValue().due <= clock) {
                due.add(e.getKey());
            } else {
                next = Math.min(next, e.getValue().due);
            }
        }
        Collections.sort(due);
        for (String path : due) {
            Memo m = memos.get(path);
            Map<String, SeriesState> states = read(path, m);
            boolean change = false;
            for (int i : m.hit) {
                Rule rule = rules.get(i);
                SeriesState s = states.get(rule.name());
                if (rule.kind() != Rule.Kind.ABSENT || s != null && s.status() == SeriesState.Status.FIRING
                        || clock < m.seen + rule.absentFor().toMillis()) {
                    continue;
                }
                states.put(rule.name(), new SeriesState(SeriesState.Status.FIRING, clock, m.seen, m.seen,
                        s == null ? Double.NaN : s.value()));
                out.add(transition(rule, path, Transition.Status.FIRING, clock, clock, Double.NaN));
                change = true;
            }
            if (change) {
                store.put(path, SeriesState.encodeAll(states));
                m.stored = true;
                m.persisted = m.seen;
            }
            m.due = due(m, states);
            next = Math.min(next, m.due);
        }
        nextDeadline = next;
    }

    /**
     * Drops the seen-log entries kept long enough; each of their series not seen since gets its last window into
     * its own entry (as an inactive absence state; a firing one holds it already).
     */
    private void expireSeen() {
        while (!seenLog.isEmpty() && clock - seenLog.peekFirst().newest() >= SEEN_KEPT_MS) {
            SeenEntry e = seenLog.pollFirst();
            for (int i = 0; i < e.paths().length; i++) {
                Memo m = memos.get(e.paths()[i]);
                long t = e.times()[i];
                if (m == null || m.seen != t || m.persisted == t) {
                    continue;
                }
                Map<String, SeriesState> states = read(e.paths()[i], m);
                for (int r : m.hit) {
                    Rule rule = rules.get(r);
                    SeriesState s = states.get(rule.name());
                    if (rule.kind() == Rule.Kind.ABSENT && (s == null || s.status() != SeriesState.Status.FIRING)) {
                        states.put(rule.name(), new SeriesState(SeriesState.Status.INACTIVE, t, t, t, Double.NaN));
                    }
                }
                store.put(e.paths()[i], SeriesState.encodeAll(states));
                m.stored = true;
                m.persisted = t;
            }
            store.delete(e.key());
        }
    }

    /** A tracked series' states (empty when it has no entry; an entry this version cannot read is counted). */
    private Map<String, SeriesState> read(String path, Memo m) {
        byte[] bytes = m != null && m.stored ? store.get(path) : null;
        Map<String, SeriesState> states = bytes == null ? null : SeriesState.decodeAll(bytes);
        if (bytes != null && states == null) {
            corrupt++;
        }
        return states == null ? new LinkedHashMap<>(4) : states;
    }

    /** The earliest a series' absence states fire: those firing in {@code states} (when given) left out. */
    private long due(Memo m, Map<String, SeriesState> states) {
        if (m.seen == Long.MIN_VALUE) {
            return Long.MAX_VALUE;
        }
        long due = Long.MAX_VALUE;
        for (int i : m.hit) {
            Rule rule = rules.get(i);
            if (rule.kind() != Rule.Kind.ABSENT) {
                continue;
            }
            SeriesState s = states == null ? null : states.get(rule.name());
            if (s == null || s.status() != SeriesState.Status.FIRING) {
                due = Math.min(due, m.seen + rule.absentFor().toMillis());
            }
        }
        return due;
    }

    private boolean covers(int[] hit, String ruleName) {
        for (int i : hit) {
            if (rules.get(i).name().equals(ruleName)) {
                return true;
            }
        }
        return false;
    }

    private boolean hasAbsence(int[] hit) {
        for (int i : hit) {
            if (rules.get(i).kind() == Rule.Kind.ABSENT) {
                return true;
            }
        }
        return false;
    }

    private void remove(String rule) {
        current.remove(rule);
        dirty = true;
    }

    private void save(String rule, SeriesState state) {
        current.put(rule, state);
        dirty = true;
    }

    /**
     * A seen-log entry, version 1, big-endian: the byte 1, then runs of series of one window: the window (8 bytes),
     * the run's series count (4 bytes), per series its path's UTF-8 length (4 bytes) and bytes.
     */
    static byte[] encodeSeen(String[] paths, long[] times) {
        byte[][] utf8 = new byte[paths.length][];
        int size = 1;
        for (int i = 0; i < paths.length; i++) {
            utf8[i] = paths[i].getBytes(StandardCharsets.UTF_8);
            size += Integer.BYTES + utf8[i].length;
            if (i == 0 || times[i] != times[i - 1]) {
                size += Long.BYTES + Integer.BYTES;
            }
        }
        ByteBuffer b = ByteBuffer.allocate(size).put(SEEN_VERSION);
        for (int i = 0; i < paths.length; ) {
            int j = i;
            while (j < paths.length && times[j] == times[i]) {
                j++;
            }
            b.putLong(times[i]).putInt(j - i);
            for (int k = i; k < j; k++) {
                b.putInt(utf8[k].length).put(utf8[k]);
            }
            i = j;
        }
        return b.array();
    }

    /** @return null when the bytes are not a seen-log entry of a version this code knows */
    private static SeenEntry decodeSeen(String key, byte[] bytes) {
        try {
            Long.parseUnsignedLong(key.substring(SEEN_PREFIX.length()), 16);
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.get() != SEEN_VERSION) {
                return null;
            }
            List<String> paths = new ArrayList<>();
            long[] times = new long[16];
            long newest = Long.MIN_VALUE;
            while (b.hasRemaining()) {
                long t = b.getLong();
                int count = b.getInt();
                if (count <= 0 || count > b.remaining() / Integer.BYTES) {
                    return null;
                }
                newest = Math.max(newest, t);
                for (int k = 0; k < count; k++) {
                    int length = b.getInt();
                    if (length <= 0 || length > b.remaining()) {
                        return null;
                    }
                    if (paths.size() == times.length) {
                        times = Arrays.copyOf(times, times.length * 2);
                    }
                    times[paths.size()] = t;
                    paths.add(new String(bytes, b.position(), length, StandardCharsets.UTF_8));
                    b.position(b.position() + length);
                }
            }
            return paths.isEmpty() ? null
                    : new SeenEntry(key, newest, paths.toArray(new String[0]), Arrays.copyOf(times, paths.size()));
        } catch (RuntimeException e) {
            return null;
        }
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
        return memos.size();
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
