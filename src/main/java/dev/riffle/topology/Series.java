package dev.riffle.topology;

/**
 * One thing measured: a (host, service, kind). In the per-host stage {@code host} is {@code host.env} and
 * {@code fleetHost} the pseudo-host its partials are merged under (null: none, as for dev); a self metric has
 * no per-host point ({@code host} null) and is counted under the self host only. In the fleet stage
 * {@code host} is the pseudo-host and {@code fleetHost} is null.
 */
record Series(String host, String service, Kind kind, String fleetHost) {

    /** The series this one's partials are merged into by the fleet stage. */
    Series fleet() {
        return new Series(fleetHost, service, kind, null);
    }
}
