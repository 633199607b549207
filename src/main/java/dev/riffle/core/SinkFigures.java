package dev.riffle.core;

/**
 * The series of the sink's own figures ({@code riffle.sink.<instance>.<figure>} in Graphite): a gauge value of the
 * self host (a fleet series without an environment, like the topology's own figures), service
 * {@code sink <instance> <figure>}. The sink writes them to the points topic like any point; unlike the topology's,
 * their window is the sink's wall clock, not the bridges' ticks, so a reader that keeps an event-time clock of the
 * points topic (the alert stage) must not let them move it: {@link #is}.
 */
public final class SinkFigures {
    private static final String SERVICE_PREFIX = "sink ";

    private SinkFigures() {
    }

    /** The series of one figure of the sink named {@code instance}. */
    public static SeriesId series(String selfHost, String instance, String figure) {
        return SeriesId.fleet("", selfHost, SERVICE_PREFIX + instance + " " + figure, Statistic.value());
    }

    /** True for a series of the sink's own figures (the self host's, service {@code sink ...}). */
    public static boolean is(SeriesId id, String selfHost) {
        return id.fleet() && id.environment().isEmpty() && id.host().equals(selfHost)
                && id.service().startsWith(SERVICE_PREFIX);
    }
}
