package dev.riffle.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code maxDataPoints} as graphite-web 1.1's JSON renderer applies it: when a series has more points over the
 * answer's whole time range than asked for, {@code valuesPerPoint = ceil(points / maxDataPoints)} values become
 * one, by the series' consolidation function ({@code average} unless {@code consolidateBy} chose {@code sum},
 * {@code min}, {@code max}, {@code first}, {@code last} or {@code avg_zero}; a bucket of nulls is null), at a step
 * of {@code valuesPerPoint * step} whose bands are aligned to that step (graphite-web's "nudge": the start moves
 * to the next multiple, and one value fewer than the nudge's steps is dropped, exactly as graphite-web does), so
 * that the points do not jitter between refreshes. {@code maxDataPoints=1} gives one point per series.
 */
public final class Consolidation {
    private Consolidation() {
    }

    public static List<TimeSeries> apply(List<TimeSeries> series, int maxDataPoints) {
        if (maxDataPoints < 1) {
            throw new QueryException("maxDataPoints must be at least 1, got " + maxDataPoints);
        }
        if (series.isEmpty()) {
            return series;
        }
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (TimeSeries s : series) {
            start = Math.min(start, s.start());
            end = Math.max(end, s.end());
        }
        long timeRange = end - start;
        List<TimeSeries> out = new ArrayList<>(series.size());
        for (TimeSeries s : series) {
            if (maxDataPoints == 1) {
                int n = s.values().length;
                out.add(n == 0 ? s : consolidated(s, s.start(), s.values(), n));
                continue;
            }
            double points = (double) timeRange / s.step();
            if (maxDataPoints >= points) {
                out.add(s);
                continue;
            }
            int valuesPerPoint = (int) Math.ceil(points / maxDataPoints);
            long secondsPerPoint = (long) valuesPerPoint * s.step();
            long nudge = secondsPerPoint + Math.floorMod(s.start(), s.step())
                    - Math.floorMod(s.start(), secondsPerPoint);
            int valuesToLose = (int) (nudge / s.step());
            double[] v = s.values();
            int drop = Math.min(v.length, Math.max(0, valuesToLose - 1));
            double[] kept = Arrays.copyOfRange(v, drop, v.length);
            out.add(consolidated(s, s.start() + nudge, kept, valuesPerPoint));
        }
        return out;
    }

    private static TimeSeries consolidated(TimeSeries s, long start, double[] v, int valuesPerPoint) {
        double[] out = new double[(v.length + valuesPerPoint - 1) / valuesPerPoint];
        for (int b = 0; b < out.length; b++) {
            int from = b * valuesPerPoint;
            int to = Math.min(v.length, from + valuesPerPoint);
            out[b] = bucket(s.consolidation(), v, from, to);
        }
        return new TimeSeries(s.name(), s.pathExpression(), start, s.end(), valuesPerPoint * s.step(), out,
                s.consolidation());
    }

    /** One band: null when all its values are null, else the function of the non-null ones. */
    private static double bucket(String func, double[] v, int from, int to) {
        int nonNull = 0;
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double first = Double.NaN;
        double last = Double.NaN;
        for (int i = from; i < to; i++) {
            if (Double.isNaN(v[i])) {
                continue;
            }
            nonNull++;
            sum += v[i];
            min = Math.min(min, v[i]);
            max = Math.max(max, v[i]);
            if (nonNull == 1) {
                first = v[i];
            }
            last = v[i];
        }
        if (nonNull == 0) {
            return Double.NaN;
        }
        return switch (func) {
            case "sum" -> sum;
            case "avg_zero" -> sum / (to - from); // nulls count as zeros
            case "max" -> max;
            case "min" -> min;
            case "first" -> first;
            case "last" -> last;
            default -> sum / nonNull; // average, avg
        };
    }
}
