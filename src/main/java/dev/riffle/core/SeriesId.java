package dev.riffle.core;

import java.util.Objects;

/**
 * The typed identity of one series of points: who (environment, host, or a fleet pseudo-host), what (service) and
 * which figure of it ({@link Statistic}). Targets name series from it themselves: Graphite by Riemann's path
 * convention ({@link GraphiteNames}), a labelled backend by its fields, without parsing a path back.
 *
 * <ul>
 *   <li>{@code environment}: the environment tag the events carried ({@code production}), {@code ""} for none;
 *   <li>{@code host}: for a per-host series the application's host as it sent it ({@code box1}); for a fleet
 *       aggregate ({@code fleet} true) the configured pseudo-host verbatim ({@code all-hosts.production},
 *       {@code all-hosts}, see {@code topology.fleet_hosts}); for Riffle's own figures the self host
 *       ({@code riffle}, also a fleet aggregate: summed over Riffle's instances);
 *   <li>{@code service}: the event's service, as sent ({@code search-time});
 *   <li>{@code statistic}: gauge value, occurrences, rate per second, or a percentile with its quantile.
 * </ul>
 *
 * <p>The Graphite host of a per-host series is {@code host.environment} (or {@code host} without an environment),
 * of a fleet series the pseudo-host itself: {@link #graphiteHost()}. Equal series are equal by all five fields.
 */
public record SeriesId(String environment, String host, boolean fleet, String service, Statistic statistic) {

    public SeriesId {
        environment = environment == null ? "" : environment;
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(statistic, "statistic");
    }

    /** A per-host series. */
    public static SeriesId host(String environment, String host, String service, Statistic statistic) {
        return new SeriesId(environment, host, false, service, statistic);
    }

    /** A fleet aggregate under a pseudo-host (or Riffle's own figures under the self host). */
    public static SeriesId fleet(String environment, String pseudoHost, String service, Statistic statistic) {
        return new SeriesId(environment, pseudoHost, true, service, statistic);
    }

    /** The host part of Riemann's naming: {@code box1.production} for a per-host series, the pseudo-host else. */
    public String graphiteHost() {
        return fleet || environment.isEmpty() ? host : host + "." + environment;
    }

    /** Riemann's result service name: {@code search-time value 0.99}, {@code requests rate-per-second}. */
    public String resultService() {
        String suffix = statistic.serviceSuffix();
        return suffix.isEmpty() ? service : service + " " + suffix;
    }

    /**
     * A hash of the names only (String's hash is specified, an enum's is not), the same in every JVM and version,
     * and the same for every statistic of one series (all the percentiles of a timer): what a writer may spread
     * series over partitions by, keeping a series' figures together and in order.
     */
    public int stableHash() {
        int h = environment.hashCode();
        h = 31 * h + host.hashCode();
        h = 31 * h + (fleet ? 1 : 0);
        return 31 * h + service.hashCode();
    }
}
