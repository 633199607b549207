package dev.riffle.topology;

import java.util.HashMap;
import java.util.Map;

/**
 * One instance per series within a task, so that the maps a window close walks (the window's aggregates, the
 * fill-in table, the path cache) find their keys by identity instead of comparing names: at 150k series those
 * comparisons, each a few cache misses, were the largest single cost of a close.
 *
 * <p>Bounded by time: what was not seen for two generations (a generation is {@link #rotate}d by the owner) is
 * forgotten; a series that comes back gets a new instance, which is only slower, never wrong (equality is by name).
 */
final class SeriesInterner {
    private Map<Series, Series> current = new HashMap<>();
    private Map<Series, Series> previous = new HashMap<>();

    Series intern(Series s) {
        Series known = current.get(s);
        if (known != null) {
            return known;
        }
        known = previous.remove(s);
        Series kept = known != null ? known : s;
        current.put(kept, kept);
        return kept;
    }

    /** Starts a new generation; the one before the last is forgotten. */
    void rotate() {
        previous = current;
        current = new HashMap<>(Math.max(16, previous.size() * 4 / 3));
    }

    int size() {
        return current.size() + previous.size();
    }
}
