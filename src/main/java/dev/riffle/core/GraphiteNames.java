package dev.riffle.core;

/**
 * The Graphite name mapper: a series' Graphite path by Riemann's convention ({@link GraphitePath}): the Graphite
 * host's parts reversed, then the result service split on spaces ({@code production.box1.search-time.value.99}).
 * Used by every target that names series by path (carbon, stdout, the graphs store) and by the alert globs.
 *
 * <p>{@link #path} is what carbon gets: the path made carbon-safe by {@link CarbonPath} (null when it cannot be).
 *
 * <p>Paths are built for every point, not cached: building one is a pass over its characters, while a cache big
 * enough to hit at 150,000 series held a copy of every series' identity per consumer (and one smaller than the
 * series a window writes, evicting least recently used first, never hits). Stateless and thread-safe.
 */
public final class GraphiteNames {
    private final boolean carbonSafe;

    /** A carbon-safe mapper. */
    public GraphiteNames() {
        this(true);
    }

    /** @param carbonSafe whether {@link #path} makes paths carbon-safe (false: as built, for matching globs) */
    public GraphiteNames(boolean carbonSafe) {
        this.carbonSafe = carbonSafe;
    }

    /** The Graphite path of a series, as built (not made carbon-safe). */
    public static String of(SeriesId id) {
        return GraphitePath.of(id.graphiteHost(), id.resultService());
    }

    /**
     * Whether carbon cannot take the series' path ({@link #path} of a carbon-safe mapper is null), mostly without
     * building it: a series whose names are {@value CarbonPath#MAX_SEGMENT} characters or fewer in all, and whose
     * service has a character other than dots and blanks, always has a path carbon takes (each character becomes
     * one character of the path, so no segment or path is too long, and the path is not empty).
     */
    public static boolean carbonRefuses(SeriesId id) {
        Statistic s = id.statistic();
        int length = id.environment().length() + id.host().length() + id.service().length() + s.suffix().length()
                + (s.quantile() == null ? 0 : s.quantile().length()) + 3;
        if (length <= CarbonPath.MAX_SEGMENT && hasPathCharacter(id.service())) {
            return false;
        }
        return CarbonPath.sanitise(of(id)) == null;
    }

    private static boolean hasPathCharacter(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > ' ' && c != '.') {
                return true;
            }
        }
        return false;
    }

    /**
     * The carbon-safe Graphite path of a series ({@link CarbonPath#sanitise} of {@link #of}), or {@link #of} itself
     * when not carbon-safe; null when carbon cannot take it.
     */
    public String path(SeriesId id) {
        return carbonSafe ? CarbonPath.sanitise(of(id)) : of(id);
    }
}
