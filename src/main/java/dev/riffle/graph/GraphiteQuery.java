package dev.riffle.graph;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.riffle.core.GraphiteGlob;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The subset of graphite-web's find and render API that Grafana's Graphite data source and the graphs page use,
 * answered from a {@link RecentStore}, with graphite-web 1.1's semantics: whisper's time grid (from and until
 * rounded down to the step, plus one step), nulls for gaps, series names such as {@code sumSeries(a.*.b)}, and the
 * functions {@code sumSeries}, {@code averageSeries}, {@code maxSeries}, {@code alias}, {@code aliasByNode},
 * {@code scale}, {@code nonNegativeDerivative}, {@code summarize} and {@code highestMax}. Anything else is a
 * {@link QueryException} naming what is wrong.
 */
public final class GraphiteQuery {
    /** at most this many series in one render answer (after globs), so one request cannot take the heap */
    public static final int MAX_SERIES = 10_000;
    /** at most this many points in one render request, all series together, so one request cannot take the heap */
    public static final int MAX_POINTS = 1_000_000;
    private static final JsonFactory JSON = new JsonFactory();

    private final RecentStore store;

    public GraphiteQuery(RecentStore store) {
        this.store = store;
    }

    // ---------------------------------------------------------------- find

    /** {@code /metrics/find?query=} in graphite-web's treejson format (Grafana reads text and expandable). */
    public byte[] findJson(String query) {
        if (query == null || query.isBlank()) {
            throw new QueryException("missing parameter: query");
        }
        GraphiteGlob glob;
        try {
            glob = GraphiteGlob.compile(query);
        } catch (IllegalArgumentException e) {
            throw new QueryException(e.getMessage());
        }
        int lastDot = query.lastIndexOf('.');
        String base = lastDot < 0 ? "" : query.substring(0, lastDot + 1);
        return json(g -> {
            // one entry per name, as graphite-web's tree_json (a glob can reach the same name under several
            // parents); expandable when any of them has children, so that a tree can always be opened
            Map<String, Boolean> names = new java.util.TreeMap<>();
            for (RecentStore.Found f : store.find(glob)) {
                names.merge(f.text(), f.branch(), Boolean::logicalOr);
            }
            g.writeStartArray();
            for (Map.Entry<String, Boolean> f : names.entrySet()) {
                boolean branch = f.getValue();
                g.writeStartObject();
                g.writeStringField("text", f.getKey());
                g.writeStringField("id", base + f.getKey());
                g.writeNumberField("leaf", branch ? 0 : 1);
                g.writeNumberField("expandable", branch ? 1 : 0);
                g.writeNumberField("allowChildren", branch ? 1 : 0);
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    // ---------------------------------------------------------------- render

    /** Evaluates every target over the grid whisper would answer for {@code [from, until]}. */
    public List<TimeSeries> render(List<String> targets, long from, long until) {
        if (targets.isEmpty()) {
            throw new QueryException("missing parameter: target");
        }
        if (from >= until) {
            throw new QueryException("empty time range: from " + from + " is not before until " + until);
        }
        int step = store.stepSeconds();
        long first = from - Math.floorMod(from, step) + step;
        long end = until - Math.floorMod(until, step) + step;
        long slots = (end - first) / step;
        if (slots > MAX_POINTS) {
            throw new QueryException("time range too long: " + slots + " points of " + step + " s (at most "
                    + MAX_POINTS + ")");
        }
        Context ctx = new Context(first, (int) slots, step);
        List<TimeSeries> out = new ArrayList<>();
        for (String target : targets) {
            if (target.isBlank()) {
                continue;
            }
            Object value = evaluate(new Parser(target).parseTarget(), ctx);
            out.addAll(seriesList(value, "target " + target));
        }
        return out;
    }

    public static byte[] renderJson(List<TimeSeries> series) {
        return json(g -> {
            g.writeStartArray();
            for (TimeSeries s : series) {
                g.writeStartObject();
                g.writeStringField("target", s.name());
                g.writeObjectFieldStart("tags");
                g.writeStringField("name", s.name());
                g.writeEndObject();
                g.writeArrayFieldStart("datapoints");
                long t = s.start();
                for (double v : s.values()) {
                    g.writeStartArray();
                    if (Double.isNaN(v) || Double.isInfinite(v)) {
                        g.writeNull();
                    } else {
                        g.writeNumber(v);
                    }
                    g.writeNumber(t);
                    g.writeEndArray();
                    t += s.step();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    private static final class Context {
        final long first;
        final int slots;
        final int step;
        long points;

        Context(long first, int slots, int step) {
            this.first = first;
            this.slots = slots;
            this.step = step;
        }
    }

    private Object evaluate(Expr e, Context ctx) {
        if (e instanceof Literal l) {
            return l.value;
        }
        if (e instanceof PathExpr p) {
            return fetch(p.text, ctx);
        }
        Call c = (Call) e;
        List<Object> args = new ArrayList<>();
        for (Expr a : c.args) {
            args.add(evaluate(a, ctx));
        }
        Map<String, Object> kwargs = new LinkedHashMap<>();
        c.kwargs.forEach((k, v) -> kwargs.put(k, evaluate(v, ctx)));
        return Functions.call(c.name, args, kwargs);
    }

    private List<TimeSeries> fetch(String pattern, Context ctx) {
        GraphiteGlob glob;
        try {
            glob = GraphiteGlob.compile(pattern);
        } catch (IllegalArgumentException e) {
            throw new QueryException(e.getMessage());
        }
        List<String> paths = store.paths(glob);
        if (paths.size() > MAX_SERIES) {
            throw new QueryException("'" + pattern + "' matches " + paths.size() + " series (at most " + MAX_SERIES
                    + ")");
        }
        ctx.points += (long) paths.size() * ctx.slots;
        if (ctx.points > MAX_POINTS) {
            throw new QueryException("the request asks for " + ctx.points + " points (at most " + MAX_POINTS
                    + "): fewer series or a shorter time range");
        }
        List<TimeSeries> out = new ArrayList<>(paths.size());
        for (String path : paths) {
            double[] values = store.fetch(path, ctx.first, ctx.slots);
            if (values != null) {
                out.add(new TimeSeries(path, pattern, ctx.first, ctx.step, values));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<TimeSeries> seriesList(Object value, String what) {
        if (value instanceof List<?> l) {
            return (List<TimeSeries>) l;
        }
        throw new QueryException(what + " is not a series list: " + describe(value));
    }

    static String describe(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    /** graphite-web's formatPathExpressions: the distinct path expressions in order, joined by commas. */
    static String pathExpressions(List<TimeSeries> list) {
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (TimeSeries s : list) {
            seen.add(s.pathExpression());
        }
        return String.join(",", seen);
    }

    /** Python's {@code %g}: six significant digits, trailing zeros dropped, exponent below 1e-4 and from 1e6. */
    static String pyG(double v) {
        if (v == 0) {
            return "0";
        }
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        BigDecimal rounded = new BigDecimal(v).round(new java.math.MathContext(6));
        int exp = rounded.precision() - rounded.scale() - 1;
        if (exp < -4 || exp >= 6) {
            String mantissa = rounded.movePointLeft(exp).stripTrailingZeros().toPlainString();
            return mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        return rounded.stripTrailingZeros().toPlainString();
    }

    // ---------------------------------------------------------------- functions

    static final class Functions {
        private Functions() {
        }

        static Object call(String name, List<Object> args, Map<String, Object> kwargs) {
            return switch (name) {
                case "sumSeries", "sum" -> aggregate("sum", allSeries(name, args, kwargs));
                case "averageSeries", "avg" -> aggregate("average", allSeries(name, args, kwargs));
                case "maxSeries" -> aggregate("max", allSeries(name, args, kwargs));
                case "alias" -> alias(args, kwargs);
                case "aliasByNode" -> aliasByNode(args, kwargs);
                case "scale" -> scale(args, kwargs);
                case "nonNegativeDerivative" -> nonNegativeDerivative(args, kwargs);
                case "summarize" -> summarize(args, kwargs);
                case "highestMax" -> highestMax(args, kwargs);
                case "exclude" -> exclude(args, kwargs);
                default -> throw new QueryException("unknown function " + name + "(); supported: sumSeries, "
                        + "averageSeries, maxSeries, alias, aliasByNode, scale, nonNegativeDerivative, summarize, "
                        + "highestMax, exclude");
            };
        }

        private static Object arg(String fn, List<Object> args, Map<String, Object> kwargs, int index, String kw,
                Object def) {
            if (index < args.size()) {
                return args.get(index);
            }
            if (kwargs.containsKey(kw)) {
                return kwargs.get(kw);
            }
            if (def == null) {
                throw new QueryException(fn + "(): missing argument " + kw);
            }
            return def;
        }

        private static List<TimeSeries> series(String fn, Object v) {
            return seriesList(v, fn + "()'s first argument");
        }

        private static double number(String fn, String kw, Object v) {
            if (v instanceof Double d) {
                return d;
            }
            throw new QueryException(fn + "(): " + kw + " must be a number, got " + describe(v));
        }

        private static String string(String fn, String kw, Object v) {
            if (v instanceof String s) {
                return s;
            }
            throw new QueryException(fn + "(): " + kw + " must be a quoted string, got " + describe(v));
        }

        private static void noExtra(String fn, List<Object> args, Map<String, Object> kwargs, int max,
                List<String> names) {
            if (args.size() > max) {
                throw new QueryException(fn + "(): too many arguments (" + args.size() + ", at most " + max + ")");
            }
            for (String k : kwargs.keySet()) {
                if (!names.contains(k)) {
                    throw new QueryException(fn + "(): unknown argument " + k);
                }
            }
        }

        private static List<TimeSeries> allSeries(String fn, List<Object> args, Map<String, Object> kwargs) {
            if (!kwargs.isEmpty()) {
                throw new QueryException(fn + "(): takes series lists only");
            }
            List<TimeSeries> all = new ArrayList<>();
            for (Object a : args) {
                all.addAll(seriesList(a, fn + "()'s argument " + describe(a)));
            }
            return all;
        }

        /** graphite-web's aggregate(): None where every series is None, else the function of the others. */
        static List<TimeSeries> aggregate(String func, List<TimeSeries> list) {
            if (list.isEmpty()) {
                return List.of();
            }
            TimeSeries first = list.get(0);
            int n = 0;
            for (TimeSeries s : list) {
                n = Math.max(n, s.values().length);
            }
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                double acc = Double.NaN;
                int count = 0;
                for (TimeSeries s : list) {
                    double v = i < s.values().length ? s.values()[i] : Double.NaN;
                    if (Double.isNaN(v)) {
                        continue;
                    }
                    count++;
                    acc = Double.isNaN(acc) ? v : func.equals("max") ? Math.max(acc, v) : acc + v;
                }
                out[i] = func.equals("average") && count > 0 ? acc / count : acc;
            }
            String name = func + "Series(" + pathExpressions(list) + ")";
            return List.of(new TimeSeries(name, name, first.start(), first.step(), out));
        }

        private static List<TimeSeries> alias(List<Object> args, Map<String, Object> kwargs) {
            noExtra("alias", args, kwargs, 2, List.of("seriesList", "newName"));
            List<TimeSeries> in = series("alias", arg("alias", args, kwargs, 0, "seriesList", null));
            String newName = string("alias", "newName", arg("alias", args, kwargs, 1, "newName", null));
            return in.stream().map(s -> s.withName(newName)).toList();
        }

        private static List<TimeSeries> aliasByNode(List<Object> args, Map<String, Object> kwargs) {
            if (!kwargs.isEmpty()) {
                throw new QueryException("aliasByNode(): takes a series list and node numbers");
            }
            List<TimeSeries> in = series("aliasByNode", arg("aliasByNode", args, kwargs, 0, "seriesList", null));
            if (args.size() < 2) {
                throw new QueryException("aliasByNode(): missing argument nodes");
            }
            List<Integer> nodes = new ArrayList<>();
            for (Object a : args.subList(1, args.size())) {
                double d = number("aliasByNode", "nodes", a);
                if (d != Math.rint(d)) {
                    throw new QueryException("aliasByNode(): node " + pyG(d) + " is not a whole number");
                }
                nodes.add((int) d);
            }
            List<TimeSeries> out = new ArrayList<>();
            for (TimeSeries s : in) {
                String[] parts = firstPathExpression(s.name()).split("\\.", -1);
                StringBuilder name = new StringBuilder();
                for (int n : nodes) {
                    int i = n < 0 ? parts.length + n : n;
                    if (i < 0 || i >= parts.length) {
                        throw new QueryException("aliasByNode(): node " + n + " is out of range for "
                                + String.join(".", parts));
                    }
                    if (name.length() > 0) {
                        name.append('.');
                    }
                    name.append(parts[i]);
                }
                out.add(s.withName(name.toString()));
            }
            return out;
        }

        /** graphite-web's _getFirstPathExpression: the first path in a series name such as sumSeries(a.b). */
        static String firstPathExpression(String name) {
            try {
                Expr e = new Parser(name).parseTarget();
                while (e instanceof Call c) {
                    Expr next = null;
                    for (Expr a : c.args) {
                        if (a instanceof PathExpr || a instanceof Call) {
                            next = a;
                            break;
                        }
                    }
                    if (next == null) {
                        return name;
                    }
                    e = next;
                }
                return e instanceof PathExpr p ? p.text : name;
            } catch (QueryException ex) {
                return name;
            }
        }

        private static List<TimeSeries> scale(List<Object> args, Map<String, Object> kwargs) {
            noExtra("scale", args, kwargs, 2, List.of("seriesList", "factor"));
            List<TimeSeries> in = series("scale", arg("scale", args, kwargs, 0, "seriesList", null));
            double factor = number("scale", "factor", arg("scale", args, kwargs, 1, "factor", null));
            List<TimeSeries> out = new ArrayList<>();
            for (TimeSeries s : in) {
                double[] v = s.values().clone();
                for (int i = 0; i < v.length; i++) {
                    v[i] *= factor; // NaN stays NaN
                }
                out.add(s.derived("scale(" + s.name() + "," + pyG(factor) + ")", v));
            }
            return out;
        }

        private static List<TimeSeries> nonNegativeDerivative(List<Object> args, Map<String, Object> kwargs) {
            String fn = "nonNegativeDerivative";
            noExtra(fn, args, kwargs, 3, List.of("seriesList", "maxValue", "minValue"));
            List<TimeSeries> in = series(fn, arg(fn, args, kwargs, 0, "seriesList", null));
            Object maxArg = arg(fn, args, kwargs, 1, "maxValue", "none");
            Object minArg = arg(fn, args, kwargs, 2, "minValue", "none");
            Double max = "none".equals(maxArg) || maxArg == Literal.NONE ? null : number(fn, "maxValue", maxArg);
            Double min = "none".equals(minArg) || minArg == Literal.NONE ? null : number(fn, "minValue", minArg);
            List<TimeSeries> out = new ArrayList<>();
            for (TimeSeries s : in) {
                double[] v = s.values();
                double[] d = new double[v.length];
                double prev = Double.NaN;
                for (int i = 0; i < v.length; i++) {
                    // graphite-web 1.1's _nonNegativeDelta; a null with maxValue (where graphite-web 1.1.8 fails
                    // with a TypeError) is null here
                    double val = v[i];
                    if (!Double.isNaN(val) && (max != null && val > max || min != null && val < min)) {
                        d[i] = Double.NaN; // out of the counter's range: ignored, and no previous value
                        prev = Double.NaN;
                        continue;
                    }
                    if (Double.isNaN(prev) || Double.isNaN(val)) {
                        d[i] = Double.NaN; // the first reading
                    } else if (val >= prev) {
                        d[i] = val - prev;
                    } else if (max != null) {
                        d[i] = max + 1 + val - prev - (min == null ? 0 : min); // the counter wrapped at maxValue
                    } else if (min != null) {
                        d[i] = val - min; // the counter wrapped to minValue
                    } else {
                        d[i] = Double.NaN;
                    }
                    prev = val;
                }
                out.add(s.derived(fn + "(" + s.name() + ")", d));
            }
            return out;
        }

        private static List<TimeSeries> summarize(List<Object> args, Map<String, Object> kwargs) {
            String fn = "summarize";
            noExtra(fn, args, kwargs, 4, List.of("seriesList", "intervalString", "func", "alignToFrom"));
            List<TimeSeries> in = series(fn, arg(fn, args, kwargs, 0, "seriesList", null));
            String intervalString = string(fn, "intervalString", arg(fn, args, kwargs, 1, "intervalString", null));
            String func = string(fn, "func", arg(fn, args, kwargs, 2, "func", "sum"));
            Object alignArg = arg(fn, args, kwargs, 3, "alignToFrom", Boolean.FALSE);
            if (!(alignArg instanceof Boolean)) {
                throw new QueryException("summarize(): alignToFrom must be true or false, got " + describe(alignArg));
            }
            boolean alignToFrom = (Boolean) alignArg;
            long interval = Math.abs(GraphiteTime.offsetSeconds(intervalString));
            if (interval == 0) {
                throw new QueryException("summarize(): the interval must be longer than 0");
            }
            if (!List.of("sum", "avg", "average", "max", "min", "last", "count").contains(func)) {
                throw new QueryException("summarize(): unsupported func \"" + func
                        + "\"; supported: sum, avg, average, max, min, last, count");
            }
            List<TimeSeries> out = new ArrayList<>();
            for (TimeSeries s : in) {
                // buckets keyed as graphite-web does: by bucket start, or by bucket number from the series start
                Map<Long, List<Double>> buckets = new LinkedHashMap<>();
                double[] v = s.values();
                for (int i = 0; i < v.length; i++) {
                    long t = s.start() + (long) i * s.step();
                    long key = alignToFrom ? (t - s.start()) / interval : t - Math.floorMod(t, interval);
                    List<Double> bucket = buckets.computeIfAbsent(key, k -> new ArrayList<>());
                    if (!Double.isNaN(v[i])) {
                        bucket.add(v[i]);
                    }
                }
                // graphite-web's series.end is the time of the last value's slot plus one step
                long seriesEnd = s.end();
                long newStart;
                long newEnd;
                if (alignToFrom) {
                    newStart = s.start();
                    newEnd = seriesEnd;
                } else {
                    newStart = s.start() - Math.floorMod(s.start(), interval);
                    newEnd = seriesEnd - Math.floorMod(seriesEnd, interval) + interval;
                }
                List<Double> values = new ArrayList<>();
                for (long t = newStart; t < newEnd; t += interval) {
                    long key = alignToFrom ? (t - s.start()) / interval : t - Math.floorMod(t, interval);
                    List<Double> bucket = buckets.get(key);
                    values.add(bucket == null || bucket.isEmpty() ? Double.NaN : reduce(func, bucket));
                }
                double[] nv = values.stream().mapToDouble(Double::doubleValue).toArray();
                String name = "summarize(" + s.name() + ", \"" + intervalString + "\", \"" + func + "\""
                        + (alignToFrom ? ", true)" : ")");
                out.add(new TimeSeries(name, name, newStart, (int) interval, nv));
            }
            return out;
        }

        private static double reduce(String func, List<Double> bucket) {
            return switch (func) {
                case "sum" -> bucket.stream().mapToDouble(Double::doubleValue).sum();
                case "avg", "average" -> bucket.stream().mapToDouble(Double::doubleValue).sum() / bucket.size();
                case "max" -> bucket.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
                case "min" -> bucket.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
                case "last" -> bucket.get(bucket.size() - 1);
                case "count" -> bucket.size();
                default -> throw new QueryException("summarize(): unsupported func " + func);
            };
        }

        /** Leaves out the series whose name a regular expression finds (compose's Grafana dashboard uses it). */
        private static List<TimeSeries> exclude(List<Object> args, Map<String, Object> kwargs) {
            noExtra("exclude", args, kwargs, 2, List.of("seriesList", "pattern"));
            List<TimeSeries> in = series("exclude", arg("exclude", args, kwargs, 0, "seriesList", null));
            String pattern = string("exclude", "pattern", arg("exclude", args, kwargs, 1, "pattern", null));
            java.util.regex.Pattern regex;
            try {
                regex = java.util.regex.Pattern.compile(pattern);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new QueryException("exclude(): bad regular expression '" + pattern + "': " + e.getDescription());
            }
            return in.stream().filter(s -> !regex.matcher(s.name()).find()).toList();
        }

        private static List<TimeSeries> highestMax(List<Object> args, Map<String, Object> kwargs) {
            String fn = "highestMax";
            noExtra(fn, args, kwargs, 2, List.of("seriesList", "n"));
            List<TimeSeries> in = series(fn, arg(fn, args, kwargs, 0, "seriesList", null));
            double n = number(fn, "n", arg(fn, args, kwargs, 1, "n", null)); // required, as in graphite-web 1.1
            if (n != Math.rint(n) || n < 0) {
                throw new QueryException("highestMax(): n must be a whole number from 0, got " + pyG(n));
            }
            List<TimeSeries> sorted = new ArrayList<>(in);
            // stable, highest first; a series of nulls only counts as minus infinity
            sorted.sort(Comparator.comparingDouble(Functions::maxOf).reversed());
            return List.copyOf(sorted.subList(0, (int) Math.min(n, sorted.size())));
        }

        private static double maxOf(TimeSeries s) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : s.values()) {
                if (!Double.isNaN(v) && v > max) {
                    max = v;
                }
            }
            return max;
        }
    }

    // ---------------------------------------------------------------- parsing

    sealed interface Expr permits PathExpr, Call, Literal {
    }

    record PathExpr(String text) implements Expr {
    }

    record Call(String name, List<Expr> args, Map<String, Expr> kwargs) implements Expr {
    }

    record Literal(Object value) implements Expr {
        static final Object NONE = new Object() {
            @Override
            public String toString() {
                return "None";
            }
        };
    }

    /** graphite-web's target grammar: calls, path expressions (with globs), numbers, quoted strings, booleans. */
    static final class Parser {
        private static final int MAX_DEPTH = 32;
        private final String text;
        private int pos;
        private int depth;

        Parser(String text) {
            this.text = text;
        }

        Expr parseTarget() {
            skipSpaces();
            Expr e = expression();
            skipSpaces();
            if (pos != text.length()) {
                throw error("unexpected '" + text.charAt(pos) + "'");
            }
            return e;
        }

        private QueryException error(String what) {
            return new QueryException("bad target '" + text + "': " + what + " at character " + (pos + 1));
        }

        private void skipSpaces() {
            while (pos < text.length() && text.charAt(pos) == ' ') {
                pos++;
            }
        }

        private Expr expression() {
            if (pos >= text.length()) {
                throw error("expected an expression");
            }
            char c = text.charAt(pos);
            if (c == '"' || c == '\'') {
                return new Literal(quoted(c));
            }
            int start = pos;
            int braces = 0;
            while (pos < text.length()) {
                char d = text.charAt(pos);
                if (d == '{') {
                    braces++;
                } else if (d == '}') {
                    braces--;
                } else if (braces == 0 && (d == ',' || d == ')' || d == '(' || d == '=' || d == ' ')) {
                    break;
                }
                pos++;
            }
            String word = text.substring(start, pos);
            if (word.isEmpty()) {
                throw error("expected an expression");
            }
            if (pos < text.length() && text.charAt(pos) == '(') {
                if (!word.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw error("bad function name '" + word + "'");
                }
                return call(word);
            }
            if (word.equals("true") || word.equals("True")) {
                return new Literal(Boolean.TRUE);
            }
            if (word.equals("false") || word.equals("False")) {
                return new Literal(Boolean.FALSE);
            }
            if (word.equals("None")) {
                return new Literal(Literal.NONE);
            }
            if (word.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
                return new Literal(Double.parseDouble(word));
            }
            return new PathExpr(word);
        }

        private Expr call(String name) {
            if (++depth > MAX_DEPTH) {
                throw error("nested more than " + MAX_DEPTH + " deep");
            }
            pos++; // (
            List<Expr> args = new ArrayList<>();
            Map<String, Expr> kwargs = new LinkedHashMap<>();
            skipSpaces();
            if (pos < text.length() && text.charAt(pos) == ')') {
                pos++;
                depth--;
                return new Call(name, args, kwargs);
            }
            while (true) {
                skipSpaces();
                int mark = pos;
                Expr e = expression();
                skipSpaces();
                if (pos < text.length() && text.charAt(pos) == '=' && e instanceof PathExpr p
                        && p.text.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    pos++;
                    skipSpaces();
                    kwargs.put(p.text, expression());
                    skipSpaces();
                } else if (!kwargs.isEmpty()) {
                    pos = mark;
                    throw error("positional argument after a keyword argument");
                } else {
                    args.add(e);
                }
                if (pos >= text.length()) {
                    throw error("missing ')'");
                }
                char c = text.charAt(pos++);
                if (c == ')') {
                    depth--;
                    return new Call(name, args, kwargs);
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or ')'");
                }
            }
        }

        private String quoted(char quote) {
            int start = ++pos;
            while (pos < text.length() && text.charAt(pos) != quote) {
                pos++;
            }
            if (pos >= text.length()) {
                throw error("unclosed quote");
            }
            return text.substring(start, pos++);
        }
    }

    // ---------------------------------------------------------------- json

    private interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] json(Writer w) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            w.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

}
