package dev.riffle.graph;

/**
 * One series of a render answer, as graphite-web's TimeSeries: values on a grid of {@code step} seconds from
 * {@code start} (NaN = null), a display name, and the path expression it came from (used to name aggregates).
 */
public record TimeSeries(String name, String pathExpression, long start, int step, double[] values) {

    public TimeSeries withName(String newName) {
        return new TimeSeries(newName, pathExpression, start, step, values);
    }

    /** A derived series named {@code newName}, whose path expression becomes that name (as graphite-web does). */
    public TimeSeries derived(String newName, double[] newValues) {
        return new TimeSeries(newName, newName, start, step, newValues);
    }

    /** The end of the grid: the time after the last value. */
    public long end() {
        return start + (long) values.length * step;
    }
}
