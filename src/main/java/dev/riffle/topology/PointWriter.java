package dev.riffle.topology;

import dev.riffle.core.GraphitePath;
import dev.riffle.core.Point;
import dev.riffle.core.PointCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Step 4's output, for one task: turns a closed window's aggregate into its points on the points topic (key =
 * Graphite path, value = {@code {value, time}}, record time = window start).
 *
 * <p>A series keeps its paths from window to window, and building one (splits and a pattern per part) costs
 * more than looking it up, so the paths of recent series are cached; the cache is bounded.
 */
final class PointWriter {
    private static final int CACHED_SERIES = 100_000;

    private final Rules rules;
    private final ProcessorContext<String, byte[]> context;
    private final String child;
    private final Map<Series, String[]> paths = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Series, String[]> eldest) {
            return size() > CACHED_SERIES;
        }
    };

    /** @param child the node the points go to (the points topic's sink) */
    PointWriter(Rules rules, ProcessorContext<String, byte[]> context, String child) {
        this.rules = rules;
        this.context = context;
        this.child = child;
    }

    /** Forwards the points of one series in one window; returns how many. */
    int emit(Aggregate a, long start) {
        String[] p = paths(a.series);
        double[] values = rules.values(a);
        for (int i = 0; i < p.length; i++) {
            forward(p[i], values[i], start);
        }
        return p.length;
    }

    /** The 0.0 a silent meter gets while its last event has not expired. */
    void zero(Series meter, long start) {
        forward(paths(meter)[0], 0.0, start);
    }

    private String[] paths(Series s) {
        String[] p = paths.get(s);
        if (p == null) {
            String[] services = rules.services(s);
            p = new String[services.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = GraphitePath.of(s.host(), services[i]);
            }
            paths.put(s, p);
        }
        return p;
    }

    private void forward(String path, double value, long start) {
        Point point = new Point(value, Math.floorDiv(start, 1000));
        context.forward(new Record<>(path, PointCodec.encode(point), start), child);
    }
}
