package dev.riffle.graph;

import static dev.riffle.graph.SeriesFunction.Param.optional;
import static dev.riffle.graph.SeriesFunction.Param.required;

import dev.riffle.graph.SeriesFunction.Args;
import dev.riffle.graph.SeriesFunction.Evaluation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * graphite-web's "Transform", "Calculate" and "Special" functions that change each series' values: arithmetic,
 * rates, nulls, moving windows, time shifts, {@code summarize}, {@code constantLine} and {@code consolidateBy};
 * with graphite-web 1.1's names, null handling and arguments.
 */
final class TransformFunctions {
    private TransformFunctions() {
    }

    static List<SeriesFunction> all() {
        List<SeriesFunction> out = new ArrayList<>();
        out.add(fn("scale", "Transform", "Multiplies each value by factor.", List.of(required("factor", "float")),
                a -> map(a, s -> "scale(" + s.name() + "," + PyFormat.g(a.number(1)) + ")", v -> v * a.number(1))));
        out.add(fn("offset", "Transform", "Adds factor to each value.", List.of(required("factor", "float")),
                a -> map(a, s -> "offset(" + s.name() + "," + PyFormat.g(a.number(1)) + ")", v -> v + a.number(1))));
        out.add(fn("absolute", "Transform", "The absolute value of each value.", List.of(),
                a -> map(a, s -> "absolute(" + s.name() + ")", Math::abs)));
        out.add(fn("removeAboveValue", "Filter Data", "Nulls the values above n.", List.of(required("n", "float")),
                a -> map(a, s -> "removeAboveValue(" + s.name() + ", " + PyFormat.g(a.number(1)) + ")",
                        v -> v > a.number(1) ? Double.NaN : v)));
        out.add(fn("removeBelowValue", "Filter Data", "Nulls the values below n.", List.of(required("n", "float")),
                a -> map(a, s -> "removeBelowValue(" + s.name() + ", " + PyFormat.g(a.number(1)) + ")",
                        v -> v < a.number(1) ? Double.NaN : v)));
        out.add(fn("derivative", "Transform", "The difference to the previous value.", List.of(),
                a -> perValue(a, "derivative", false, null, null)));
        out.add(fn("nonNegativeDerivative", "Transform", "The increase of a counter, wraps and resets handled.",
                List.of(optional("maxValue", "float", null), optional("minValue", "float", null)),
                a -> perValue(a, "nonNegativeDerivative", false, bound(a, 1), bound(a, 2))));
        out.add(fn("perSecond", "Transform", "The increase of a counter per second.",
                List.of(optional("maxValue", "float", null), optional("minValue", "float", null)),
                a -> perValue(a, "perSecond", true, bound(a, 1), bound(a, 2))));
        out.add(fn("integral", "Transform", "The running total of the values.", List.of(),
                TransformFunctions::integral));
        out.add(fn("keepLastValue", "Transform", "Fills up to limit nulls with the last value.",
                List.of(optional("limit", "intOrInf", Double.POSITIVE_INFINITY)), TransformFunctions::keepLastValue));
        out.add(fn("transformNull", "Transform", "Replaces nulls with default.",
                List.of(optional("default", "float", 0L), optional("referenceSeries", "seriesList", null)),
                TransformFunctions::transformNull));
        out.add(fn("summarize", "Transform", "Values in buckets of intervalString, combined with func.",
                List.of(required("intervalString", "interval"), optional("func", "aggFunc", "sum"),
                        optional("alignToFrom", "boolean", Boolean.FALSE)), TransformFunctions::summarize));
        out.add(fn("movingAverage", "Calculate", "The average of the windowSize values (or seconds) before each.",
                List.of(required("windowSize", "intOrInterval"), optional("xFilesFactor", "float", null)),
                TransformFunctions::movingAverage));
        out.add(fn("timeShift", "Transform", "The series timeShift earlier, drawn at the request's times.",
                List.of(required("timeShift", "interval"), optional("resetEnd", "boolean", Boolean.TRUE),
                        optional("alignDST", "boolean", Boolean.FALSE)), TransformFunctions::timeShift));
        out.add(fn("consolidateBy", "Special", "How maxDataPoints consolidates the series.",
                List.of(required("consolidationFunc", "string")), TransformFunctions::consolidateBy));
        out.add(new SeriesFunction("constantLine", "Special", "A horizontal line at value.",
                List.of(required("value", "float")), a -> constantLine(a.eval, a.get(0))));
        return out;
    }

    /** A function whose first parameter is the series list, then {@code more}. */
    private static SeriesFunction fn(String name, String group, String description, List<SeriesFunction.Param> more,
            SeriesFunction.Impl impl) {
        List<SeriesFunction.Param> params = new ArrayList<>();
        params.add(SERIES_PARAM);
        params.addAll(more);
        return new SeriesFunction(name, group, description, List.copyOf(params), impl);
    }

    private static final SeriesFunction.Param SERIES_PARAM = SeriesFunction.Param.required("seriesList",
            "seriesList");

    private static Double bound(Args a, int i) {
        return a.has(i) ? a.number(i) : null;
    }

    interface Namer {
        String name(TimeSeries s);
    }

    /** Each value through {@code op} (a null stays null), each series renamed. */
    private static List<TimeSeries> map(Args a, Namer namer, DoubleUnaryOperator op) {
        List<TimeSeries> out = new ArrayList<>();
        for (TimeSeries s : a.series(0)) {
            double[] v = s.values().clone();
            for (int i = 0; i < v.length; i++) {
                if (!Double.isNaN(v[i])) {
                    v[i] = op.applyAsDouble(v[i]);
                }
            }
            out.add(s.derived(namer.name(s), v));
        }
        return out;
    }

    /**
     * derivative, nonNegativeDerivative and perSecond: the difference to the previous reading (graphite-web's
     * _nonNegativeDelta for the last two: a counter that went down is null, or wrapped at maxValue / to minValue;
     * readings outside them are ignored), perSecond divided by the step and rounded to six decimals.
     */
    private static List<TimeSeries> perValue(Args a, String fn, boolean perSecond, Double max, Double min) {
        boolean nonNegative = !fn.equals("derivative");
        List<TimeSeries> out = new ArrayList<>();
        for (TimeSeries s : a.series(0)) {
            double[] v = s.values();
            double[] d = new double[v.length];
            double prev = Double.NaN;
            for (int i = 0; i < v.length; i++) {
                double val = v[i];
                if (!nonNegative) {
                    d[i] = Double.isNaN(prev) || Double.isNaN(val) ? Double.NaN : val - prev;
                    prev = val;
                    continue;
                }
                // a null with maxValue (where graphite-web 1.1.8 fails with a TypeError) is null here
                if (!Double.isNaN(val) && (max != null && val > max || min != null && val < min)) {
                    d[i] = Double.NaN;
                    prev = Double.NaN;
                    continue;
                }
                double delta;
                if (Double.isNaN(prev) || Double.isNaN(val)) {
                    delta = Double.NaN; // the first reading
                } else if (val >= prev) {
                    delta = val - prev;
                } else if (max != null) {
                    delta = max + 1 + val - prev - (min == null ? 0 : min); // the counter wrapped at maxValue
                } else if (min != null) {
                    delta = val - min; // the counter wrapped to minValue
                } else {
                    delta = Double.NaN;
                }
                d[i] = perSecond && !Double.isNaN(delta) ? PyFormat.round6(delta / s.step()) : delta;
                prev = val;
            }
            out.add(s.derived(fn + "(" + s.name() + ")", d));
        }
        return out;
    }

    private static List<TimeSeries> integral(Args a) {
        List<TimeSeries> out = new ArrayList<>();
        for (TimeSeries s : a.series(0)) {
            double[] v = s.values().clone();
            double current = 0.0;
            for (int i = 0; i < v.length; i++) {
                if (!Double.isNaN(v[i])) {
                    current += v[i];
                    v[i] = current;
                }
            }
            out.add(s.derived("integral(" + s.name() + ")", v));
        }
        return out;
    }

    private static List<TimeSeries> keepLastValue(Args a) {
        double limit = a.number(1);
        List<TimeSeries> out = new ArrayList<>();
        for (TimeSeries s : a.series(0)) {
            double[] v = s.values().clone();
            int nulls = 0;
            double last = Double.NaN;
            for (int i = 0; i < v.length; i++) {
                if (Double.isNaN(v[i])) {
                    nulls++;
                    continue;
                }
                if (nulls > 0 && nulls <= limit && !Double.isNaN(last)) {
                    Arrays.fill(v, i - nulls, i, last);
                }
                nulls = 0;
                last = v[i];
            }
            if (nulls > 0 && nulls <= limit && !Double.isNaN(last)) {
                Arrays.fill(v, v.length - nulls, v.length, last);
            }
            out.add(s.derived("keepLastValue(" + s.name() + ")", v));
        }
        return out;
    }

    private static List<TimeSeries> transformNull(Args a) {
        double def = a.number(1);
        boolean reference = a.has(2) && !a.series(2).isEmpty();
        boolean[] any = null;
        if (reference) {
            List<TimeSeries> refs = a.series(2);
            int n = refs.stream().mapToInt(r -> r.values().length).max().orElse(0);
            any = new boolean[n];
            for (TimeSeries r : refs) {
                for (int i = 0; i < r.values().length; i++) {
                    any[i] |= !Double.isNaN(r.values()[i]);
                }
            }
        }
        List<TimeSeries> out = new ArrayList<>();
        for (TimeSeries s : a.series(0)) {
            double[] v = s.values().clone();
            for (int i = 0; i < v.length; i++) {
                if (Double.isNaN(v[i]) && (any == null || i < any.length && any[i])) {
                    v[i] = def;
                }
            }
            String name = "transformNull(" + s.name() + "," + PyFormat.g(def) + (reference ? ",referenceSeries)"
                    : ")");
            out.add(s.derived(name, v));
        }
        return out;
    }

    private static List<TimeSeries> summarize(Args a) {
        String intervalString = a.string(1);
        String func = a.string(2);
        boolean alignToFrom = a.bool(3);
        long interval = Math.abs(GraphiteTime.offsetSeconds(intervalString));
        if (interval == 0) {
            throw new QueryException("summarize(): the interval must be longer than 0");
        }
        List<TimeSeries> out = new ArrayList<>();
        for (TimeSeries s : a.series(0)) {
            // buckets keyed as graphite-web does: by bucket start, or by bucket number from the series start
            Map<Long, List<Double>> buckets = new LinkedHashMap<>();
            double[] v = s.values();
            for (int i = 0; i < v.length; i++) {
                long t = s.start() + (long) i * s.step();
                long key = alignToFrom ? (t - s.start()) / interval : t - Math.floorMod(t, interval);
                // nulls too: graphite-web hands the bucket's values, nulls included, to the aggregation
                // (avg_zero counts them as zeros, multiply is null with one), and a bucket of nulls is null
                buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(v[i]);
            }
            // graphite-web's series.end is the time of the last value's slot plus one step
            long seriesEnd = s.end();
            long newStart = alignToFrom ? s.start() : s.start() - Math.floorMod(s.start(), interval);
            long newEnd = alignToFrom ? seriesEnd : seriesEnd - Math.floorMod(seriesEnd, interval) + interval;
            List<Double> values = new ArrayList<>();
            for (long t = newStart; t < newEnd; t += interval) {
                long key = alignToFrom ? (t - s.start()) / interval : t - Math.floorMod(t, interval);
                List<Double> bucket = buckets.get(key);
                values.add(bucket == null ? Double.NaN
                        : CombineFunctions.apply(func, bucket.stream().mapToDouble(Double::doubleValue).toArray()));
            }
            double[] nv = values.stream().mapToDouble(Double::doubleValue).toArray();
            String name = "summarize(" + s.name() + ", \"" + intervalString + "\", \"" + func + "\""
                    + (alignToFrom ? ", true)" : ")");
            out.add(new TimeSeries(name, name, newStart, (int) interval, nv));
        }
        return out;
    }

    /**
     * graphite-web's movingWindow with average: the first argument evaluated again from windowSize earlier, then
     * each value the average of the non-null values of the window before it (not including it).
     */
    private static List<TimeSeries> movingAverage(Args a) {
        List<TimeSeries> in = a.series(0);
        if (in.isEmpty()) {
            return List.of();
        }
        Object window = a.get(1);
        double xff = a.has(2) ? a.number(2) : 0;
        long preview;
        if (window instanceof String w) {
            preview = Math.abs(GraphiteTime.offsetSeconds(w));
        } else {
            long points = ((Number) window).longValue();
            if (points < 0) {
                throw new QueryException("movingAverage(): windowSize must not be negative");
            }
            preview = in.stream().mapToLong(TimeSeries::step).max().getAsLong() * points;
        }
        Evaluation eval = a.eval;
        List<TimeSeries> previewList = eval.evaluate(a.call.args().get(0), eval.from() - preview, eval.until());
        List<TimeSeries> out = new ArrayList<>();
        for (TimeSeries s : previewList) {
            int windowPoints = (int) (window instanceof String ? preview / s.step() : ((Number) window).longValue());
            String name = "movingAverage(" + s.name() + ","
                    + (window instanceof String w ? "\"" + w + "\"" : PyFormat.str(window)) + ")";
            double[] v = s.values();
            double[] avg = new double[Math.max(0, v.length - windowPoints)];
            for (int i = windowPoints; i < v.length; i++) {
                double sum = 0;
                int nonNull = 0;
                for (int j = i - windowPoints; j < i; j++) {
                    if (!Double.isNaN(v[j])) {
                        sum += v[j];
                        nonNull++;
                    }
                }
                avg[i - windowPoints] = nonNull > 0 && (double) nonNull / windowPoints >= xff ? sum / nonNull
                        : Double.NaN;
            }
            out.add(new TimeSeries(name, name, s.start() + preview, s.end(), s.step(), avg, s.consolidation()));
        }
        return out;
    }

    /**
     * graphite-web's timeShift: the first argument evaluated again over the range moved by the shift (a shift
     * without a sign goes back), drawn from the original series' start; with resetEnd up to its end.
     */
    private static List<TimeSeries> timeShift(Args a) {
        List<TimeSeries> in = a.series(0);
        if (in.isEmpty()) {
            return List.of();
        }
        if (a.bool(3)) {
            throw new QueryException("timeShift(): alignDST is not supported by Riffle (its times are UTC)");
        }
        String shift = a.string(1);
        if (!shift.isEmpty() && Character.isDigit(shift.charAt(0))) {
            shift = "-" + shift;
        }
        long delta = GraphiteTime.offsetSeconds(shift);
        Evaluation eval = a.eval;
        TimeSeries first = in.get(0);
        List<TimeSeries> out = new ArrayList<>();
        for (TimeSeries s : eval.evaluate(a.call.args().get(0), eval.from() + delta, eval.until() + delta)) {
            String name = "timeShift(" + s.name() + ", \"" + shift + "\")";
            double[] v = s.values();
            long end = a.bool(2) ? first.end() : s.end() - s.start() + first.start();
            out.add(new TimeSeries(name, s.pathExpression(), first.start(), end, s.step(), v, s.consolidation()));
        }
        return out;
    }

    private static List<TimeSeries> consolidateBy(Args a) {
        String func = a.string(1);
        if (!List.of("sum", "average", "avg", "avg_zero", "min", "max", "first", "last").contains(func)) {
            throw new QueryException("consolidateBy(): unsupported consolidationFunc \"" + func
                    + "\"; supported: sum, average, avg, avg_zero, min, max, first, last");
        }
        List<TimeSeries> out = new ArrayList<>();
        for (TimeSeries s : a.series(0)) {
            String name = "consolidateBy(" + s.name() + ",\"" + func + "\")";
            out.add(new TimeSeries(name, name, s.start(), s.end(), s.step(), s.values(), func));
        }
        return out;
    }

    /**
     * graphite-web's constantLine: three points, at from, the middle and until (the request's own times), named
     * by the value as Python prints it.
     */
    static List<TimeSeries> constantLine(Evaluation eval, Object value) {
        long start = eval.from();
        long end = eval.until();
        int step = (int) Math.max(1, (end - start) / 2);
        double v = ((Number) value).doubleValue();
        String text = PyFormat.str(value);
        return List.of(new TimeSeries(text, "constantLine(" + text + ")", start, end, step, new double[] {v, v, v},
                "average"));
    }
}
