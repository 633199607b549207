package dev.riffle.topology;

import java.util.HashMap;
import java.util.Map;

/** The aggregates of one tumbling window, by series. */
final class Window {
    final long start;
    final Map<Series, Aggregate> aggregates = new HashMap<>();

    Window(long start) {
        this.start = start;
    }
}
