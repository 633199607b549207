package dev.riffle.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The open windows of one task, in plain Java objects, and the meters still alive for fill-in. Both stages keep
 * one: the per-host stage drops a window when it closes; the fleet stage keeps an emitted window for its
 * lateness, to correct it when a straggling partial arrives.
 *
 * <p>Windows close in order, one by one, even when they saw nothing: a silent window still owes a 0.0 to
 * every meter whose last event has not expired yet.
 */
final class WindowBook {
    final long windowMs;
    final TreeMap<Long, Window> windows = new TreeMap<>();
    /** meters that may need a 0.0: series -> its last event's time and expiry */
    final Map<Series, long[]> fills = new HashMap<>();
    boolean fillsDirty;
    /** windows starting before this have been closed (emitted); MIN until the first close */
    long nextClose = Long.MIN_VALUE;
    /** dropped since the last save: their saved chunks must be deleted */
    final List<Window> dropped = new ArrayList<>();

    private Window current;

    WindowBook(long windowMs) {
        this.windowMs = windowMs;
    }

    long startOf(long timeMs) {
        return Math.floorDiv(timeMs, windowMs) * windowMs;
    }

    boolean isClosed(long start) {
        return start < nextClose;
    }

    Window window(long start) {
        if (current != null && current.start == start) {
            return current;
        }
        current = windows.computeIfAbsent(start, Window::new);
        return current;
    }

    /** What closing one window does; {@code window} is null for a window that saw nothing. */
    interface Closer {
        void close(long start, Window window);
    }

    /**
     * Closes every window up to and including the one starting at {@code lastStart}, in order.
     *
     * @param keep whether closed windows stay (fleet) or are dropped (per-host)
     */
    void closeThrough(long lastStart, boolean keep, Closer closer) {
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
            if (w != null && !keep) {
                dropped.add(w);
            }
            closer.close(start, w);
            nextClose = start + windowMs;
            start = nextClose;
        }
    }

    /** Drops kept windows that start before {@code before}. */
    void dropBefore(long before) {
        current = null;
        Iterator<Window> it = windows.headMap(before, false).values().iterator();
        while (it.hasNext()) {
            dropped.add(it.next());
            it.remove();
        }
    }

    /** Remembers a meter's last event for the fill-in of the windows after this one. */
    void trackMeter(Aggregate meter) {
        long[] last = fills.get(meter.series);
        if (last == null || meter.lastTime > last[0] || (meter.lastTime == last[0] && meter.expiry > last[1])) {
            fills.put(meter.series, new long[] {meter.lastTime, meter.expiry});
            fillsDirty = true;
        }
    }

    /**
     * The fill-in of a closing window: every tracked meter silent in it whose last event expires after the
     * window starts gets a 0.0; meters expired by the next window are forgotten.
     */
    void fillSilent(long start, Window window, Consumer<Series> zero) {
        Iterator<Map.Entry<Series, long[]>> it = fills.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Series, long[]> e = it.next();
            long expiry = e.getValue()[1];
            if (start < expiry && (window == null || !window.aggregates.containsKey(e.getKey()))) {
                zero.accept(e.getKey());
            }
            if (expiry <= start + windowMs) {
                it.remove();
                fillsDirty = true;
            }
        }
    }
}
