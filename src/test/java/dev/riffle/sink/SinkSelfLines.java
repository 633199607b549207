package dev.riffle.sink;

import java.util.List;

/** The Graphite lines a sink writes about itself for one window, for tests outside this package. */
public final class SinkSelfLines {
    private SinkSelfLines() {
    }

    /** The lines of the window starting at {@code windowStartMillis} of a sink named {@code instance}. */
    public static List<String> window(String instance, long windowStartMillis) {
        SelfMetrics metrics = new SelfMetrics("riffle", instance);
        metrics.close(windowStartMillis, new SelfMetrics.Figures(0, 0, 0, 1, 0));
        return SelfMetrics.lines(metrics.close(windowStartMillis + SelfMetrics.WINDOW_SECONDS * 1000L,
                new SelfMetrics.Figures(100, 0, 3, 1, 0))).stream().map(String::strip).toList();
    }
}
