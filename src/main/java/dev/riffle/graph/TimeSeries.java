package dev.riffle.graph;

/**
 * One series of a render answer, as graphite-web's TimeSeries: values on a grid of {@code step} seconds from
 * {@code start} (NaN = null) up to {@code end} (the answer has a point for each time from start up to end, at most
 * one per value), a display name, the path expression it came from (used to name aggregates), and how
 * {@code maxDataPoints} consolidates it ({@code average} unless {@code consolidateBy} said otherwise).
 */
public record TimeSeries(String name, String pathExpression, long start, long end, int step, double[] values,
        String consolidation) {

    /** A series whose end is right after its last value, consolidated by average. */
    public TimeSeries(String name, String pathExpression, long start, int step, double[] values) {
        this(name, pathExpression, start, start + (long) values.length * step, step, values, "average");
    }

    public TimeSeries withName(String newName) {
        return new TimeSeries(newName, pathExpression, start, end, step, values, consolidation);
    }

    /** A derived series named {@code newName}, whose path expression becomes that name (as graphite-web does). */
    public TimeSeries derived(String newName, double[] newValues) {
        return new TimeSeries(newName, newName, start, end, step, newValues, consolidation);
    }

    /** The times of the points: from start to end (inclusive) by step, no more than there are values. */
    public int points() {
        long times = (end - start) / step + 1;
        return (int) Math.max(0, Math.min(values.length, times));
    }
}
