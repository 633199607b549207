package dev.riffle.graph;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.riffle.core.GraphiteGlob;
import dev.riffle.graph.TargetParser.Call;
import dev.riffle.graph.TargetParser.Expr;
import dev.riffle.graph.TargetParser.Literal;
import dev.riffle.graph.TargetParser.PathExpr;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The part of graphite-web's API that Grafana's Graphite data source and the graphs page use, answered from a
 * {@link RecentStore} with graphite-web 1.1's semantics: {@code /metrics/find} (treejson), {@code /metrics/expand},
 * {@code /render} (whisper's time grid: from and until rounded down to the step, plus one step; nulls for gaps;
 * series names such as {@code sumSeries(a.*.b)}; the functions of {@link FunctionTable}) and {@code /functions}.
 * Anything it cannot answer is a {@link QueryException} naming what is wrong.
 */
public final class GraphiteQuery {
    /** at most this many series in one render answer (after globs), so one request cannot take the heap */
    public static final int MAX_SERIES = 10_000;
    /** at most this many points in one render request, all series together, so one request cannot take the heap */
    public static final int MAX_POINTS = 1_000_000;
    /** the graphite-web release whose API this follows (for {@code /version}) */
    public static final String GRAPHITE_VERSION = "1.1.8";
    private static final JsonFactory JSON = new JsonFactory();

    private final RecentStore store;

    public GraphiteQuery(RecentStore store) {
        this.store = store;
    }

    // ---------------------------------------------------------------- find and expand

    /** {@code /metrics/find?query=} in graphite-web's treejson format (Grafana reads text and expandable). */
    public byte[] findJson(String query) {
        GraphiteGlob glob = glob(query);
        int lastDot = query.lastIndexOf('.');
        String base = lastDot < 0 ? "" : query.substring(0, lastDot + 1);
        return json(g -> {
            // one entry per name, as graphite-web's tree_json (a glob can reach the same name under several
            // parents); expandable when any of them has children, so that a tree can always be opened
            Map<String, Boolean> names = new TreeMap<>();
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

    /**
     * {@code /metrics/expand?query=} (one or more): {@code {"results": [paths...]}}, the sorted union of what each
     * query matches (nodes and leaves, or leaves only); with {@code groupByExpr} one sorted list per query.
     */
    public byte[] expandJson(List<String> queries, boolean leavesOnly, boolean groupByExpr) {
        if (queries.isEmpty()) {
            throw new QueryException("missing parameter: query");
        }
        Map<String, TreeSet<String>> results = new LinkedHashMap<>();
        for (String q : queries) {
            TreeSet<String> paths = results.computeIfAbsent(q, k -> new TreeSet<>());
            for (RecentStore.Found f : store.find(glob(q))) {
                if (f.leaf() || !leavesOnly) {
                    paths.add(f.path());
                }
            }
        }
        return json(g -> {
            g.writeStartObject();
            if (groupByExpr) {
                g.writeObjectFieldStart("results");
                for (Map.Entry<String, TreeSet<String>> r : results.entrySet()) {
                    g.writeArrayFieldStart(r.getKey());
                    for (String p : r.getValue()) {
                        g.writeString(p);
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            } else {
                TreeSet<String> all = new TreeSet<>();
                results.values().forEach(all::addAll);
                g.writeArrayFieldStart("results");
                for (String p : all) {
                    g.writeString(p);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
    }

    private static GraphiteGlob glob(String query) {
        if (query == null || query.isBlank()) {
            throw new QueryException("missing parameter: query");
        }
        try {
            return GraphiteGlob.compile(query);
        } catch (IllegalArgumentException e) {
            throw new QueryException(e.getMessage());
        }
    }

    // ---------------------------------------------------------------- functions

    /**
     * {@code /functions}: graphite-web's function list (name, call signature, description, group and
     * parameters), which Grafana's query editor offers instead of its built-in list: only what Riffle answers.
     */
    public static byte[] functionsJson() {
        return json(g -> {
            g.writeStartObject();
            for (SeriesFunction f : FunctionTable.all()) {
                g.writeObjectFieldStart(f.name());
                g.writeStringField("name", f.name());
                List<String> sig = new ArrayList<>();
                for (SeriesFunction.Param p : f.params()) {
                    sig.add(p.multiple() ? "*" + p.name() : p.def() == null ? p.name()
                            : p.name() + "=" + PyFormat.str(p.def()));
                }
                g.writeStringField("function", f.name() + "(" + String.join(", ", sig) + ")");
                g.writeStringField("description", f.description());
                g.writeStringField("module", "graphite.render.functions");
                g.writeStringField("group", f.group());
                g.writeArrayFieldStart("params");
                for (SeriesFunction.Param p : f.params()) {
                    g.writeStartObject();
                    g.writeStringField("name", p.name());
                    g.writeStringField("type", p.type());
                    if (p.required()) {
                        g.writeBooleanField("required", true);
                    }
                    if (p.multiple()) {
                        g.writeBooleanField("multiple", true);
                    }
                    if (p.def() instanceof Boolean b) {
                        g.writeBooleanField("default", b);
                    } else if (p.def() instanceof Double d && d.isInfinite()) {
                        g.writeStringField("default", "inf");
                    } else if (p.def() instanceof Number n) {
                        g.writeNumberField("default", n.doubleValue());
                    } else if (p.def() instanceof String s) {
                        g.writeStringField("default", s);
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
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
        long[] points = new long[1]; // all evaluations of the request together
        List<TimeSeries> out = new ArrayList<>();
        for (String target : targets) {
            if (target.isBlank()) {
                continue;
            }
            Expr expr = TargetParser.parse(target);
            out.addAll(seriesList(new Context(from, until, points).evaluate(expr), "target " + target));
        }
        return out;
    }

    /** One evaluation range: the request's, or another one asked for by timeShift or movingAverage. */
    private final class Context implements SeriesFunction.Evaluation {
        final long from;
        final long until;
        final long first;
        final int slots;
        final int step;
        final long[] points;

        Context(long from, long until, long[] points) {
            this.from = from;
            this.until = until;
            this.points = points;
            this.step = store.stepSeconds();
            this.first = from - Math.floorMod(from, step) + step;
            long end = until - Math.floorMod(until, step) + step;
            long n = (end - first) / step;
            if (n > MAX_POINTS) {
                throw new QueryException("time range too long: " + n + " points of " + step + " s (at most "
                        + MAX_POINTS + ")");
            }
            this.slots = (int) Math.max(0, n);
        }

        @Override
        public long from() {
            return from;
        }

        @Override
        public long until() {
            return until;
        }

        @Override
        public List<TimeSeries> evaluate(Expr e, long newFrom, long newUntil) {
            return seriesList(new Context(newFrom, newUntil, points).evaluate(e), "the series list");
        }

        Object evaluate(Expr e) {
            if (e instanceof Literal l) {
                return l.value();
            }
            if (e instanceof PathExpr p) {
                return fetch(p.text());
            }
            Call c = (Call) e;
            SeriesFunction fn = FunctionTable.find(c.name());
            if (fn == null) {
                throw new QueryException("unknown function " + c.name() + "(); supported: " + FunctionTable.names());
            }
            List<Object> args = new ArrayList<>();
            for (Expr a : c.args()) {
                args.add(evaluate(a));
            }
            Map<String, Object> kwargs = new LinkedHashMap<>();
            c.kwargs().forEach((k, v) -> kwargs.put(k, evaluate(v)));
            return fn.impl().apply(fn.bind(c, args, kwargs, this));
        }

        private List<TimeSeries> fetch(String pattern) {
            List<String> paths = store.paths(glob(pattern));
            if (paths.size() > MAX_SERIES) {
                throw new QueryException("'" + pattern + "' matches " + paths.size() + " series (at most "
                        + MAX_SERIES + ")");
            }
            points[0] += (long) paths.size() * slots;
            if (points[0] > MAX_POINTS) {
                throw new QueryException("the request asks for " + points[0] + " points (at most " + MAX_POINTS
                        + "): fewer series or a shorter time range");
            }
            List<TimeSeries> out = new ArrayList<>(paths.size());
            for (String path : paths) {
                double[] values = store.fetch(path, first, slots);
                if (values != null) {
                    out.add(new TimeSeries(path, pattern, first, step, values));
                }
            }
            return out;
        }
    }

    @SuppressWarnings("unchecked")
    static List<TimeSeries> seriesList(Object value, String what) {
        if (value instanceof List<?> l) {
            return (List<TimeSeries>) l;
        }
        throw new QueryException(what + " is not a series list: " + SeriesFunction.describe(value));
    }

    /** graphite-web's JSON: {@code [{"target", "tags": {"name"}, "datapoints": [[value or null, time]...]}]}. */
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
                double[] values = s.values();
                for (int i = 0, n = s.points(); i < n; i++) {
                    double v = values[i];
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
