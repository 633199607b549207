package dev.riffle.topology;

/**
 * One thing measured: a (host, service, kind). In the per-host stage {@code host} is {@code host.env} and
 * {@code fleetHost} the pseudo-host its partials are merged under (null: none, as for dev); a self metric has
 * no per-host point ({@code host} null) and is counted under the self host only. In the fleet stage
 * {@code host} is the pseudo-host and {@code fleetHost} is null.
 */
record Series(String host, String service, Kind kind, String fleetHost) {
    /**
     * A total order that depends on the series' names only (never on hashes or insertion order), so that a
     * window closed in slices is closed in the same order after a restore.
     */
    static final java.util.Comparator<Series> ORDER = java.util.Comparator
            .comparingInt(Series::stableHash) // cheap, and Strings cache their hash: names only break ties
            .thenComparing(Series::host, java.util.Comparator.nullsFirst(java.util.Comparator.<String>naturalOrder()))
            .thenComparing(Series::service)
            .thenComparingInt(s -> s.kind().code)
            .thenComparing(Series::fleetHost, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));

    /** A hash of the names only (String's hash is specified; an enum's is not), the same in every JVM. */
    static int stableHash(Series s) {
        int h = s.host() == null ? 0 : s.host().hashCode();
        h = 31 * h + s.service().hashCode();
        h = 31 * h + s.kind().code;
        return 31 * h + (s.fleetHost() == null ? 0 : s.fleetHost().hashCode());
    }

    /** The series this one's partials are merged into by the fleet stage. */
    Series fleet() {
        return new Series(fleetHost, service, kind, null);
    }
}
