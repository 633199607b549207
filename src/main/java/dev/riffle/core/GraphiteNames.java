package dev.riffle.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Graphite name mapper: a series' Graphite path by Riemann's convention ({@link GraphitePath}): the Graphite
 * host's parts reversed, then the result service split on spaces ({@code production.box1.search-time.value.99}).
 * Used by every target that names series by path (carbon, stdout, the graphs store) and by the alert globs.
 *
 * <p>{@link #path} is what carbon gets: the path made carbon-safe by {@link CarbonPath} (null when it cannot be).
 *
 * <p>Building a path costs splits and a pattern per part, and a series keeps its path from window to window, so an
 * instance caches the paths of recent series (bounded, least recently used out first). Not thread-safe: one
 * instance per thread.
 */
public final class GraphiteNames {
    public static final int DEFAULT_CACHE = 200_000;

    /** cached for a series whose path carbon cannot take */
    private static final String REFUSED = "";

    private final Map<SeriesId, String> cache;
    private final boolean carbonSafe;

    public GraphiteNames() {
        this(DEFAULT_CACHE, true);
    }

    /**
     * @param cachedSeries how many series' paths are kept
     * @param carbonSafe   whether {@link #path} makes paths carbon-safe (false: as built, for matching globs)
     */
    public GraphiteNames(int cachedSeries, boolean carbonSafe) {
        this.carbonSafe = carbonSafe;
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

    /**
     * The carbon-safe Graphite path of a series ({@link CarbonPath#sanitise} of {@link #of}, or {@link #of} itself
     * when not carbon-safe), from the cache when it was named recently; null when carbon cannot take it.
     */
    public String path(SeriesId id) {
        String p = cache.get(id);
        if (p == null) {
            p = carbonSafe ? CarbonPath.sanitise(of(id)) : of(id);
            cache.put(id, p == null ? REFUSED : p);
        }
        return p == null || p.isEmpty() ? null : p;
    }
}
