package dev.riffle.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Graphite name mapper: a series' Graphite path by Riemann's convention ({@link GraphitePath}): the Graphite
 * host's parts reversed, then the result service split on spaces ({@code production.box1.search-time.value.99}).
 * Used by every target that names series by path (carbon, stdout, the graphs store) and by the alert globs.
 *
 * <p>Building a path costs splits and a pattern per part, and a series keeps its path from window to window, so an
 * instance caches the paths of recent series (bounded, least recently used out first). Not thread-safe: one
 * instance per thread.
 */
public final class GraphiteNames {
    private static final int DEFAULT_CACHE = 200_000;

    private final Map<SeriesId, String> cache;

    public GraphiteNames() {
        this(DEFAULT_CACHE);
    }

    public GraphiteNames(int cachedSeries) {
        this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<SeriesId, String> eldest) {
                return size() > cachedSeries;
            }
        };
    }

    /** The Graphite path of a series (uncached). */
    public static String of(SeriesId id) {
        return GraphitePath.of(id.graphiteHost(), id.resultService());
    }

    /** The Graphite path of a series, from the cache when it was named recently. */
    public String path(SeriesId id) {
        String p = cache.get(id);
        if (p == null) {
            p = of(id);
            cache.put(id, p);
        }
        return p;
    }
}
