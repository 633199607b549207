package dev.riffle.graph;

import static dev.riffle.graph.SeriesFunction.Param.multiple;
import static dev.riffle.graph.SeriesFunction.Param.optional;
import static dev.riffle.graph.SeriesFunction.Param.required;

import dev.riffle.graph.SeriesFunction.Args;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;

/**
 * graphite-web's "Combine" functions: one series from many, row by row ({@code sumSeries}, {@code diffSeries},
 * {@code aggregate}...), per group ({@code groupByNode}, {@code sumSeriesWithWildcards}...), and ratios
 * ({@code divideSeries}, {@code asPercent}). A null is left out of a row; a row of nulls stays null.
 */
final class CombineFunctions {
    private CombineFunctions() {
    }

    static List<SeriesFunction> all() {
        List<SeriesFunction> out = new ArrayList<>();
        for (String[] f : new String[][] {{"sumSeries", "sum"}, {"sum", "sum"}, {"averageSeries", "average"},
            {"avg", "average"}, {"maxSeries", "max"}, {"minSeries", "min"}, {"diffSeries", "diff"}}) {
            out.add(new SeriesFunction(f[0], "Combine", "Combines the series row by row with " + f[1] + ".",
                    List.of(multiple("seriesLists", "seriesList", true)), a -> aggregate(a.allSeries(0), f[1])));
        }
        out.add(new SeriesFunction("aggregate", "Combine", "Combines the series row by row with func.",
                List.of(required("seriesList", "seriesList"), required("func", "aggFunc"),
                        optional("xFilesFactor", "float", null)),
                a -> aggregate(a.series(0), a.string(1), a.has(2) ? a.number(2) : 0)));
        out.add(new SeriesFunction("countSeries", "Combine", "The number of series, at every time.",
                List.of(multiple("seriesLists", "seriesList", false)), CombineFunctions::countSeries));
        out.add(new SeriesFunction("group", "Combine", "The series lists as one list.",
                List.of(multiple("seriesLists", "seriesList", false)), a -> a.allSeries(0)));
        for (String[] f : new String[][] {{"sumSeriesWithWildcards", "sum"},
            {"averageSeriesWithWildcards", "average"}}) {
            out.add(new SeriesFunction(f[0], "Combine", "Combines with " + f[1] + " the series that are equal but "
                    + "for the nodes at the positions.", List.of(required("seriesList", "seriesList"),
                            multiple("position", "node", false)), a -> withWildcards(a, f[1])));
        }
        out.add(new SeriesFunction("groupByNode", "Combine", "Combines the series by the node at nodeNum.",
                List.of(required("seriesList", "seriesList"), required("nodeNum", "nodeOrTag"),
                        optional("callback", "aggOrSeriesFunc", "average")),
                a -> groupByNodes(a, a.string(2), List.of(a.get(1)))));
        out.add(new SeriesFunction("groupByNodes", "Combine", "Combines the series by the nodes.",
                List.of(required("seriesList", "seriesList"), required("callback", "aggOrSeriesFunc"),
                        multiple("nodes", "nodeOrTag", false)),
                a -> groupByNodes(a, a.string(1), a.list(2))));
        out.add(new SeriesFunction("divideSeries", "Combine", "Each dividend series divided by the divisor.",
                List.of(required("dividendSeriesList", "seriesList"), required("divisorSeries", "seriesList")),
                CombineFunctions::divideSeries));
        out.add(new SeriesFunction("asPercent", "Combine", "Each series as a percentage of the total.",
                List.of(required("seriesList", "seriesList"), optional("total", "any", null),
                        multiple("nodes", "nodeOrTag", false)), CombineFunctions::asPercent));
        return out;
    }

    /** graphite-web's aggregate(): the function of each row's non-null values; null where all are null. */
    static List<TimeSeries> aggregate(List<TimeSeries> list, String func) {
        return aggregate(list, func, 0);
    }

    static List<TimeSeries> aggregate(List<TimeSeries> list, String func, double xFilesFactor) {
        String short_ = func.endsWith("Series") ? func.substring(0, func.length() - 6) : func;
        if (list.isEmpty()) {
            return List.of();
        }
        Grid grid = Grid.of(list);
        double[] out = new double[grid.length];
        double[] row = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            for (int s = 0; s < row.length; s++) {
                double[] v = list.get(s).values();
                row[s] = i < v.length ? v[i] : Double.NaN;
            }
            out[i] = xff(row, xFilesFactor) ? apply(short_, row) : Double.NaN;
        }
        String name = short_ + "Series(" + pathExpressions(list) + ")";
        return List.of(grid.series(name, out));
    }

    /** The start, step and length of rows over series of one step (graphite-web's normalize, equal steps). */
    record Grid(long start, long end, int step, int length) {
        static Grid of(List<TimeSeries> list) {
            int step = list.get(0).step();
            long start = Long.MAX_VALUE;
            long end = Long.MIN_VALUE;
            int length = 0;
            for (TimeSeries s : list) {
                if (s.step() != step) {
                    throw new QueryException("series of different steps (" + step + " s and " + s.step()
                            + " s) cannot be combined here");
                }
                start = Math.min(start, s.start());
                end = Math.max(end, s.end());
                length = Math.max(length, s.values().length);
            }
            return new Grid(start, end - (end - start) % step, step, length);
        }

        TimeSeries series(String name, double[] values) {
            return new TimeSeries(name, name, start, end, step, values, "average");
        }
    }

    private static boolean xff(double[] row, double xFilesFactor) {
        int nonNull = 0;
        for (double v : row) {
            if (!Double.isNaN(v)) {
                nonNull++;
            }
        }
        return nonNull > 0 && (double) nonNull / row.length >= xFilesFactor;
    }

    /** One of graphite-web's aggFuncs over a row (NaN = None), with its nulls rule. */
    static double apply(String func, double[] row) {
        double[] v = Arrays.stream(row).filter(d -> !Double.isNaN(d)).toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        switch (func) {
            case "sum", "total":
                return sum(v);
            case "average", "avg":
                return sum(v) / v.length;
            case "avg_zero":
                return sum(v) / row.length;
            case "max":
                return Arrays.stream(v).max().getAsDouble();
            case "min":
                return Arrays.stream(v).min().getAsDouble();
            case "last", "current":
                return v[v.length - 1];
            case "count":
                return v.length;
            case "diff": {
                double d = v[0];
                for (int i = 1; i < v.length; i++) {
                    d += -v[i];
                }
                return d;
            }
            case "range", "rangeOf":
                return Arrays.stream(v).max().getAsDouble() - Arrays.stream(v).min().getAsDouble();
            case "median": {
                double[] sorted = v.clone();
                Arrays.sort(sorted);
                int mid = sorted.length / 2;
                return sorted.length % 2 == 0 ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[mid];
            }
            case "stddev": {
                double avg = sum(v) / v.length;
                double acc = 0;
                for (double d : v) {
                    acc = acc + (d - avg) * (d - avg);
                }
                return Math.sqrt(acc / v.length);
            }
            case "multiply": {
                if (v.length != row.length) {
                    return Double.NaN; // safeMul: any None gives None
                }
                double p = v[0];
                for (int i = 1; i < v.length; i++) {
                    p *= v[i];
                }
                return p;
            }
            default:
                throw new QueryException("unsupported aggregation function: " + func);
        }
    }

    /** Python's sum(): left to right. */
    static double sum(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s;
    }

    /** graphite-web's formatPathExpressions: the distinct path expressions in order, joined by commas. */
    static String pathExpressions(List<TimeSeries> list) {
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (TimeSeries s : list) {
            seen.add(s.pathExpression());
        }
        return String.join(",", seen);
    }

    private static List<TimeSeries> countSeries(Args a) {
        if (a.list(0).isEmpty()) {
            List<TimeSeries> line = TransformFunctions.constantLine(a.eval, 0L);
            TimeSeries l = line.get(0);
            return List.of(new TimeSeries(l.name(), "countSeries()", l.start(), l.end(), l.step(), l.values(),
                    l.consolidation()));
        }
        List<TimeSeries> list = a.allSeries(0);
        if (list.isEmpty()) {
            return List.of(); // graphite-web: nothing to normalize, an empty answer
        }
        Grid grid = Grid.of(list);
        double[] out = new double[grid.length];
        Arrays.fill(out, list.size());
        String name = "countSeries(" + pathExpressions(list) + ")";
        return List.of(grid.series(name, out));
    }

    private static List<TimeSeries> withWildcards(Args a, String func) {
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < a.list(1).size(); i++) {
            positions.add(((Number) a.list(1).get(i)).intValue());
        }
        Map<String, List<TimeSeries>> groups = new LinkedHashMap<>();
        for (TimeSeries s : a.series(0)) {
            String[] nodes = s.name().split("\\.", -1);
            List<String> kept = new ArrayList<>();
            for (int i = 0; i < nodes.length; i++) {
                if (!positions.contains(i)) {
                    kept.add(nodes[i]);
                }
            }
            groups.computeIfAbsent(String.join(".", kept), k -> new ArrayList<>()).add(s);
        }
        List<TimeSeries> out = new ArrayList<>();
        groups.forEach((key, group) -> out.add(aggregate(group, func).get(0).withName(key)));
        return out;
    }

    /** graphite-web's aggKey: the nodes of the series' first path expression, joined by dots. */
    static String aggKey(TimeSeries s, List<Object> nodes) {
        String path = s.name().endsWith(")") ? TargetParser.firstPathExpression(s.name()) : s.name();
        String[] parts = path.split(";", 2)[0].split("\\.", -1);
        List<String> out = new ArrayList<>();
        for (Object n : nodes) {
            if (n instanceof Number num) {
                int i = num.intValue() < 0 ? parts.length + num.intValue() : num.intValue();
                out.add(i >= 0 && i < parts.length ? parts[i] : ""); // graphite-web: out of range is a missing tag
            } else {
                out.add(n.equals("name") ? s.name() : ""); // Riffle's series carry no tags but their name
            }
        }
        return String.join(".", out);
    }

    private static List<TimeSeries> groupByNodes(Args a, String callback, List<Object> nodes) {
        SeriesFunction fn = FunctionTable.find(callback);
        if (fn == null && !SeriesFunction.AGG_FUNCS.contains(callback)) {
            throw new QueryException(a.fn.name() + "(): unsupported callback \"" + callback + "\"");
        }
        Map<String, List<TimeSeries>> groups = new LinkedHashMap<>();
        for (TimeSeries s : a.series(0)) {
            groups.computeIfAbsent(aggKey(s, nodes), k -> new ArrayList<>()).add(s);
        }
        List<TimeSeries> out = new ArrayList<>();
        for (Map.Entry<String, List<TimeSeries>> g : groups.entrySet()) {
            List<TimeSeries> combined;
            if (fn != null) {
                Object r = fn.impl().apply(fn.bind(a.call, List.of(g.getValue()), Map.of(), a.eval));
                combined = GraphiteQuery.seriesList(r, callback + "()");
            } else {
                combined = aggregate(g.getValue(), callback);
            }
            if (!combined.isEmpty()) {
                out.add(combined.get(0).withName(g.getKey()));
            }
        }
        return out;
    }

    private static List<TimeSeries> divideSeries(Args a) {
        List<TimeSeries> divisors = a.series(1);
        List<TimeSeries> out = new ArrayList<>();
        if (divisors.isEmpty()) {
            for (TimeSeries s : a.series(0)) {
                double[] nulls = new double[s.values().length];
                Arrays.fill(nulls, Double.NaN);
                out.add(s.derived("divideSeries(" + s.name() + ",MISSING)", nulls));
            }
            return out;
        }
        if (divisors.size() > 1) {
            throw new QueryException("divideSeries(): the divisor must be exactly one series (got "
                    + divisors.size() + ")");
        }
        TimeSeries divisor = divisors.get(0);
        for (TimeSeries s : a.series(0)) {
            out.add(pairwise("divideSeries", s, divisor, CombineFunctions::div));
        }
        return out;
    }

    /** {@code fn(a,b)}: op of the two series' values at each time, over both series' grid. */
    private static TimeSeries pairwise(String fn, TimeSeries a, TimeSeries b, DoubleBinaryOperator op) {
        Grid grid = Grid.of(List.of(a, b));
        double[] v = new double[grid.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = op.applyAsDouble(at(a, i), at(b, i));
        }
        return grid.series(fn + "(" + a.name() + "," + b.name() + ")", v);
    }

    static double at(TimeSeries s, int i) {
        return i < s.values().length ? s.values()[i] : Double.NaN;
    }

    /** safeDiv: null when either is null or the divisor is 0. */
    static double div(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? Double.NaN : a / b;
    }

    private static List<TimeSeries> asPercent(Args a) {
        List<TimeSeries> list = a.series(0);
        Object total = a.get(1);
        if (!a.list(2).isEmpty()) {
            return asPercentByNodes(list, total, a.list(2));
        }
        List<TimeSeries> out = new ArrayList<>();
        if (total == null) {
            if (list.isEmpty()) {
                return out;
            }
            TimeSeries sum = sumOf(list);
            for (TimeSeries s : list) {
                out.add(percent(s, sum.values(), sum.name()));
            }
            return out;
        }
        if (total instanceof Number n) {
            double[] totals = new double[list.isEmpty() ? 0 : list.get(0).values().length];
            Arrays.fill(totals, n.doubleValue());
            for (TimeSeries s : list) {
                out.add(percent(s, totals, PyFormat.str(total)));
            }
            return out;
        }
        if (!(total instanceof List<?>)) {
            throw new QueryException("asPercent(): total must be a number or a series list, got "
                    + SeriesFunction.describe(total));
        }
        List<TimeSeries> totalList = GraphiteQuery.seriesList(total, "asPercent()'s total");
        if (totalList.size() != 1 && totalList.size() != list.size()) {
            throw new QueryException("asPercent(): the total must be missing, a number, exactly one series or as "
                    + "many series as the first argument (got " + totalList.size() + " for " + list.size() + ")");
        }
        if (totalList.size() == 1 && !(list.size() == 1)) {
            TimeSeries t = totalList.get(0);
            for (TimeSeries s : list) {
                out.add(percent(s, t.values(), t.name()));
            }
            return out;
        }
        // as many totals as series: matched by sorted names
        List<TimeSeries> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparing(TimeSeries::name));
        List<TimeSeries> totals = new ArrayList<>(totalList);
        totals.sort(Comparator.comparing(TimeSeries::name));
        for (int i = 0; i < sorted.size(); i++) {
            out.add(pairwise("asPercent", sorted.get(i), totals.get(i), CombineFunctions::percentOf));
        }
        return out;
    }

    /**
     * asPercent with nodes: the series grouped by those nodes, each as a percentage of its group's total (the sum of
     * the group, or of the total series with the same nodes); a side without the other is all nulls, named MISSING.
     */
    private static List<TimeSeries> asPercentByNodes(List<TimeSeries> list, Object total, List<Object> nodes) {
        if (total != null && !(total instanceof List<?>)) {
            throw new QueryException("asPercent(): with nodes, total must be a series list or left out");
        }
        Map<String, List<TimeSeries>> groups = new LinkedHashMap<>();
        for (TimeSeries s : list) {
            groups.computeIfAbsent(aggKey(s, nodes), k -> new ArrayList<>()).add(s);
        }
        List<String> keys = new ArrayList<>(groups.keySet());
        Map<String, List<TimeSeries>> totalGroups = new LinkedHashMap<>();
        if (total == null) {
            totalGroups.putAll(groups);
        } else {
            for (TimeSeries t : GraphiteQuery.seriesList(total, "asPercent()'s total")) {
                String key = aggKey(t, nodes);
                totalGroups.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
                if (!keys.contains(key)) {
                    keys.add(key);
                }
            }
        }
        Map<String, TimeSeries> totals = new LinkedHashMap<>();
        totalGroups.forEach((key, group) -> totals.put(key, group.size() == 1 ? group.get(0) : sumOf(group)));
        List<TimeSeries> out = new ArrayList<>();
        for (String key : keys) {
            TimeSeries t = totals.get(key);
            if (!groups.containsKey(key)) {
                out.add(nulls("asPercent(MISSING," + t.name() + ")", t));
                continue;
            }
            for (TimeSeries s : groups.get(key)) {
                out.add(t == null ? nulls("asPercent(" + s.name() + ",MISSING)", s)
                        : pairwise("asPercent", s, t, CombineFunctions::percentOf));
            }
        }
        return out;
    }

    /** graphite-web's sumSeries of a group inside asPercent: safeSum of each row. */
    private static TimeSeries sumOf(List<TimeSeries> group) {
        Grid grid = Grid.of(group);
        double[] totals = new double[grid.length];
        double[] row = new double[group.size()];
        for (int i = 0; i < totals.length; i++) {
            for (int s = 0; s < row.length; s++) {
                row[s] = at(group.get(s), i);
            }
            totals[i] = apply("sum", row);
        }
        return grid.series("sumSeries(" + pathExpressions(group) + ")", totals);
    }

    private static TimeSeries nulls(String name, TimeSeries like) {
        double[] v = new double[like.values().length];
        Arrays.fill(v, Double.NaN);
        return new TimeSeries(name, name, like.start(), like.end(), like.step(), v, "average");
    }

    private static TimeSeries percent(TimeSeries s, double[] totals, String totalText) {
        double[] v = new double[Math.max(s.values().length, totals.length)];
        for (int i = 0; i < v.length; i++) {
            v[i] = percentOf(at(s, i), i < totals.length ? totals[i] : Double.NaN);
        }
        String name = "asPercent(" + s.name() + "," + (totalText.isEmpty() ? s.pathExpression() : totalText) + ")";
        return new TimeSeries(name, name, s.start(), s.end(), s.step(), v, "average");
    }

    private static double percentOf(double v, double total) {
        double q = div(v, total);
        return Double.isNaN(q) ? Double.NaN : q * 100.0;
    }
}
