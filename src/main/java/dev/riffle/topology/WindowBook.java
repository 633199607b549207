package dev.riffle.topology;

import java.util.ArrayList;
import java.util.Collection;
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
        /** The final aggregate of one series in a closing (or corrected) window. */
        void point(long start, Aggregate aggregate);

        /** The 0.0 of a meter silent in the window while its last event has not expired. */
        void zero(long start, Series meter);

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
    /** windows starting before this have been closed (emitted); MIN until the first close */
    private long nextClose = Long.MIN_VALUE;
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

    boolean isClosed(long start) {
        return start < nextClose;
    }

    long nextClose() {
        return nextClose;
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
        current = null;
        long start = nextClose != Long.MIN_VALUE ? nextClose : windows.isEmpty() ? Long.MAX_VALUE : windows.firstKey();
        while (start <= lastStart) {
            if (fills.isEmpty()) { // nothing owed to silent windows: skip straight to the next one with data
                Long next = windows.ceilingKey(start);
                if (next == null || next > lastStart) {
                    nextClose = lastStart + windowMs;
                    return;
                }
                start = next;
            }
            Window w = keep ? windows.get(start) : windows.remove(start);
            if (w != null) {
                for (Aggregate a : w.aggregates.values()) {
                    out.point(start, a);
                    if (a.series.kind() == Kind.METER && a.series.host() != null) {
                        trackMeter(a);
                    }
                }
                if (!keep) {
                    changes.dropped(w);
                }
            }
            fillSilent(start, w, out);
            out.closed(start);
            nextClose = start + windowMs;
            start = nextClose;
        }
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

    private void fillSilent(long start, Window window, Output out) {
        Iterator<Map.Entry<Series, long[]>> it = fills.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Series, long[]> e = it.next();
            long expiry = e.getValue()[1];
            if (start < expiry && (window == null || !window.aggregates.containsKey(e.getKey()))) {
                out.zero(start, e.getKey());
            }
            if (expiry <= start + windowMs) {
                it.remove();
                changes.fillsChanged();
            }
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
