package dev.riffle.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The open windows of one task, in plain Java objects, and the meters still alive for fill-in; it alone decides
 * what closing a window emits. Both stages keep one: the per-host stage drops a window when it closes; the fleet
 * stage keeps an emitted window for its lateness, to correct it when a straggling partial arrives.
 *
 * <p>Windows close in order, one by one, even when they saw nothing: a silent window still owes a 0.0 to
 * every meter whose last event has not expired yet. Every change is reported to a {@link Changes} listener (the
 * journal), which is how the state is saved without a store write per event.
 */
final class WindowBook {
    /** Where closing a window goes. */
    interface Output {
        /** The final aggregate of one series in a closing (or corrected) window; returns the points it made. */
        int point(long start, Aggregate aggregate);

        /** The 0.0 of a meter silent in the window while its last event has not expired. */
        void zero(long start, Series meter);

        /** When a slice of a window's points ends and the window is not closed yet. */
        default void sliceDone(long start) {
        }

        /** After the points and zeros of one window. */
        default void closed(long start) {
        }
    }

    /** What the journal needs to know to save only what changed. */
    interface Changes {
        void changed(Window window, Aggregate aggregate);

        void dropped(Window window);

        void fillsChanged();
    }

    private static final Changes UNTRACKED = new Changes() {
        @Override
        public void changed(Window window, Aggregate aggregate) {
        }

        @Override
        public void dropped(Window window) {
        }

        @Override
        public void fillsChanged() {
        }
    };

    final long windowMs;
    private final TreeMap<Long, Window> windows = new TreeMap<>();
    /** meters that may need a 0.0: series -> its last event's time and expiry */
    private final Map<Series, long[]> fills = new HashMap<>();
    private static final int POINTS = 0;
    private static final int ZEROS = 1;

    /** windows starting before this have been closed (emitted); MIN until the first close */
    private long nextClose = Long.MIN_VALUE;
    /** windows starting at or before this are closed or being closed: MIN until the first close */
    private long closeTarget = Long.MIN_VALUE;
    /** the window being closed in slices, MIN when none; then which part of it, and how far */
    private long closing = Long.MIN_VALUE;
    private int phase = POINTS;
    private int position;
    /** what the slices of the closing window go through: built at its first slice (again after a restore) */
    private Aggregate[] closingPoints;
    private Series[] closingZeros;
    private Changes changes = UNTRACKED;
    private Window current;

    WindowBook(long windowMs) {
        this.windowMs = windowMs;
    }

    void track(Changes changes) {
        this.changes = changes;
    }

    long startOf(long timeMs) {
        return Math.floorDiv(timeMs, windowMs) * windowMs;
    }

    /** Whether a window is closed or being closed: an event for it is late. */
    boolean isClosed(long start) {
        return start < nextClose || start <= closeTarget;
    }

    /** The first window not completely closed yet (its points may be partly out). */
    long nextClose() {
        return nextClose;
    }

    /** The first window that still takes data. */
    long firstOpen() {
        return closeTarget == Long.MIN_VALUE ? nextClose : Math.max(nextClose, closeTarget + windowMs);
    }

    /** Whether a window is closed only partly (call {@link #closeSome} again). */
    boolean closingPending() {
        return closing != Long.MIN_VALUE || (closeTarget != Long.MIN_VALUE && nextToClose() <= closeTarget);
    }

    /** The aggregate of a series in the window starting at {@code start}, created when new; marked changed. */
    Aggregate aggregate(long start, Series series) {
        Window w = current;
        if (w == null || w.start != start) {
            w = windows.computeIfAbsent(start, Window::new);
            current = w;
        }
        Aggregate a = w.aggregates.get(series);
        if (a == null) {
            a = new Aggregate(series);
            w.aggregates.put(series, a);
        }
        changes.changed(w, a);
        return a;
    }

    /**
     * Closes every window up to and including the one starting at {@code lastStart}, in order: each window's
     * aggregates, then the 0.0 of its silent meters, then {@link Output#closed}.
     *
     * @param keep whether closed windows stay (fleet, for corrections) or are dropped (per-host)
     */
    void closeThrough(long lastStart, boolean keep, Output out) {
        closeSome(lastStart, Integer.MAX_VALUE, keep, out);
    }

    /**
     * Like {@link #closeThrough}, but stops once about {@code budget} points have been emitted: a window of many
     * series is closed in slices, and the caller lets other work (and a commit) run between them. A window is
     * closed in {@link Series#ORDER}, its aggregates first and then its zeros, so that a slice boundary saved by
     * the journal means the same thing after a restore. Every window through the target counts as closed from
     * the first call on (an event for it is late), although its points are only complete at {@link
     * Output#closed}.
     *
     * @return true when every window through the target (the highest {@code lastStart} asked for) is closed
     */
    boolean closeSome(long lastStart, int budget, boolean keep, Output out) {
        current = null;
        closeTarget = Math.max(closeTarget, lastStart);
        int left = budget;
        while (true) {
            if (closing == Long.MIN_VALUE) {
                long start = nextToClose();
                if (start > closeTarget) { // nothing (left) to close before the target: time has passed all the same
                    if (closeTarget != Long.MIN_VALUE && (nextClose == Long.MIN_VALUE || nextClose <= closeTarget)) {
                        nextClose = closeTarget + windowMs;
                    }
                    return true;
                }
                closing = start;
                phase = POINTS;
                position = 0;
            }
            if (left <= 0) {
                out.sliceDone(closing);
                return false;
            }
            left -= emitSome(left, keep, out);
        }
    }

    /** The first window to close: the next one, or (when no meter is owed a 0.0) the next one with data. */
    private long nextToClose() {
        long start = nextClose != Long.MIN_VALUE ? nextClose : windows.isEmpty() ? Long.MAX_VALUE : windows.firstKey();
        if (fills.isEmpty() && start != Long.MAX_VALUE) {
            Long next = windows.ceilingKey(start);
            return next == null ? Long.MAX_VALUE : next;
        }
        return start;
    }

    /** Emits up to {@code budget} points of the window being closed (finishing it when all are out). */
    private int emitSome(int budget, boolean keep, Output out) {
        Window w = windows.get(closing);
        int emitted = 0;
        if (phase == POINTS) {
            if (closingPoints == null) {
                closingPoints = sortedAggregates(w);
            }
            while (position < closingPoints.length && emitted < budget) {
                emitted += out.point(closing, closingPoints[position++]);
            }
            if (position < closingPoints.length) {
                return emitted;
            }
            closingPoints = null;
            phase = ZEROS;
            position = 0;
        }
        if (closingZeros == null) {
            closingZeros = silentMeters(closing, w);
        }
        while (position < closingZeros.length && emitted < budget) {
            out.zero(closing, closingZeros[position++]);
            emitted++;
        }
        if (position == closingZeros.length) {
            finish(w, keep, out);
        }
        return emitted;
    }

    /**
     * The window's aggregates in {@link Series#ORDER}; its meters are tracked for fill-in here, before any point
     * is out (tracking again after a restore changes nothing).
     */
    private Aggregate[] sortedAggregates(Window w) {
        if (w == null) {
            return new Aggregate[0];
        }
        Aggregate[] sorted = w.aggregates.values().toArray(new Aggregate[0]);
        inSeriesOrder(sorted, a -> a.series);
        for (Aggregate a : sorted) {
            if (a.series.kind() == Kind.METER && a.series.host() != null) {
                trackMeter(a);
            }
        }
        return sorted;
    }

    /** The meters owed a 0.0 in the window at {@code start}: not expired, and silent in it; in series order. */
    private Series[] silentMeters(long start, Window w) {
        List<Series> silent = new ArrayList<>();
        for (Map.Entry<Series, long[]> e : fills.entrySet()) {
            if (start < e.getValue()[1] && (w == null || !w.aggregates.containsKey(e.getKey()))) {
                silent.add(e.getKey());
            }
        }
        Series[] sorted = silent.toArray(new Series[0]);
        inSeriesOrder(sorted, m -> m);
        return sorted;
    }

    /**
     * Sorts into {@link Series#ORDER}: by the stable hash first, computed once per item and sorted as primitives
     * (a comparator that hashes on every comparison was most of the sort's cost), names only within equal hashes.
     */
    static <T> void inSeriesOrder(T[] items, java.util.function.Function<T, Series> seriesOf) {
        long[] keys = new long[items.length];
        for (int i = 0; i < items.length; i++) {
            keys[i] = ((long) Series.stableHash(seriesOf.apply(items[i])) << 32) | i;
        }
        Arrays.sort(keys); // signed: the same order as comparing the hashes as ints, then the index
        T[] copy = items.clone();
        for (int i = 0; i < items.length; i++) {
            items[i] = copy[(int) keys[i]];
        }
        for (int from = 0; from < items.length; ) { // runs of equal hashes: by name
            int hash = (int) (keys[from] >> 32);
            int to = from + 1;
            while (to < items.length && (int) (keys[to] >> 32) == hash) {
                to++;
            }
            if (to - from > 1) {
                Arrays.sort(items, from, to, Comparator.comparing(seriesOf, Series.ORDER));
            }
            from = to;
        }
    }

    private void finish(Window w, boolean keep, Output out) {
        long start = closing;
        if (!keep && w != null) {
            windows.remove(start);
            changes.dropped(w);
        }
        // meters whose last event expires by the next window are owed nothing more
        if (fills.values().removeIf(last -> last[1] <= start + windowMs)) {
            changes.fillsChanged();
        }
        closing = Long.MIN_VALUE;
        closingZeros = null;
        phase = POINTS;
        position = 0;
        nextClose = start + windowMs;
        out.closed(start);
    }

    /**
     * A late addition to a window already emitted (fleet): emits its corrected point, and the 0.0s it now owes
     * to the emitted windows after it that its earlier state did not owe.
     */
    void correct(long start, Aggregate merged, Output out) {
        out.point(start, merged);
        if (merged.series.kind() != Kind.METER) {
            return;
        }
        long[] before = fills.get(merged.series);
        long oldExpiry = before == null ? Long.MIN_VALUE : before[1];
        trackMeter(merged);
        long[] after = fills.get(merged.series);
        for (long s = start + windowMs; s < nextClose && s < after[1]; s += windowMs) {
            Window w = windows.get(s);
            if (s >= oldExpiry && (w == null || !w.aggregates.containsKey(merged.series))) {
                out.zero(s, merged.series);
            }
        }
    }

    /** Drops kept windows that start before {@code before}. */
    void dropBefore(long before) {
        current = null;
        Iterator<Window> it = windows.headMap(before, false).values().iterator();
        while (it.hasNext()) {
            changes.dropped(it.next());
            it.remove();
        }
    }

    private void trackMeter(Aggregate meter) {
        long[] last = fills.get(meter.series);
        if (last == null || meter.lastTime > last[0] || (meter.lastTime == last[0] && meter.expiry > last[1])) {
            fills.put(meter.series, new long[] {meter.lastTime, meter.expiry});
            changes.fillsChanged();
        }
    }

    // ---- for the journal: what to save, and how to rebuild

    Collection<Window> windows() {
        return windows.values();
    }

    /** The fill-in table as (series, last time, expiry) entries. */
    List<Map.Entry<Series, long[]>> fills() {
        return new ArrayList<>(fills.entrySet());
    }

    void restoreNextClose(long next) {
        nextClose = next;
    }

    /** The closing position, as {@link #closingState} gave it. */
    void restoreClosing(long target, long window, int part, int done) {
        closeTarget = target;
        closing = window;
        phase = part;
        position = done;
        closingPoints = null;
        closingZeros = null;
    }

    /** What the journal saves of the closing: target, window (MIN: none), part and position in it. */
    long[] closingState() {
        return new long[] {closeTarget, closing, phase, position};
    }

    void restoreFill(Series meter, long lastTime, long expiry) {
        fills.put(meter, new long[] {lastTime, expiry});
    }

    Window restoreWindow(long start) {
        current = null;
        return windows.computeIfAbsent(start, Window::new);
    }

    int openWindows() {
        return windows.size();
    }
}
