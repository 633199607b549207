package dev.riffle.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The aggregates of one tumbling window, by series, and what of them is not yet saved. */
final class Window {
    final long start;
    final Map<Series, Aggregate> aggregates = new HashMap<>();
    /** aggregates changed since the last save */
    final List<Aggregate> dirty = new ArrayList<>();
    /** sequence numbers of this window's saved chunks, deleted when the window is dropped */
    final List<Integer> savedChunks = new ArrayList<>(2);

    Window(long start) {
        this.start = start;
    }

    Aggregate aggregate(Series series) {
        Aggregate a = aggregates.get(series);
        if (a == null) {
            a = new Aggregate(series);
            aggregates.put(series, a);
        }
        if (!a.dirty) {
            a.dirty = true;
            dirty.add(a);
        }
        return a;
    }
}
