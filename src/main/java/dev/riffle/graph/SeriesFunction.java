package dev.riffle.graph;

import dev.riffle.graph.TargetParser.Call;
import dev.riffle.graph.TargetParser.Expr;
import dev.riffle.graph.TargetParser.Literal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One render function as graphite-web declares it: its name, group, one line of description and its parameters
 * (which bind positional and keyword arguments, check their types and fill defaults, as graphite-web's
 * validateParams does, and which {@code /functions} lists for Grafana's query editor), and its implementation.
 */
record SeriesFunction(String name, String group, String description, List<Param> params, Impl impl) {

    /** The aggregation functions of graphite-web 1.1 (aggFuncs and their aliases). */
    static final Set<String> AGG_FUNCS = Set.of("average", "avg", "avg_zero", "median", "sum", "total", "min", "max",
            "diff", "stddev", "count", "range", "rangeOf", "multiply", "last", "current");

    interface Impl {
        Object apply(Args a);
    }

    /** What a function may ask of the request: its time range, and a fresh evaluation over another range. */
    interface Evaluation {
        long from();

        long until();

        List<TimeSeries> evaluate(Expr e, long from, long until);
    }

    /** A parameter; {@code type} is graphite-web's ParamTypes name, checked when arguments are bound. */
    record Param(String name, String type, boolean required, boolean multiple, Object def) {
        static Param required(String name, String type) {
            return new Param(name, type, true, false, null);
        }

        static Param optional(String name, String type, Object def) {
            return new Param(name, type, false, false, def);
        }

        static Param multiple(String name, String type, boolean required) {
            return new Param(name, type, required, true, null);
        }
    }

    /** Binds a call's evaluated arguments to the parameters, or refuses them naming the argument. */
    Args bind(Call call, List<Object> args, Map<String, Object> kwargs, Evaluation eval) {
        Object[] values = new Object[params.size()];
        int next = 0;
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            if (p.multiple()) {
                List<Object> rest = new ArrayList<>();
                for (; next < args.size(); next++) {
                    rest.add(check(p, args.get(next)));
                }
                if (kwargs.containsKey(p.name())) {
                    rest.add(check(p, kwargs.get(p.name())));
                }
                if (p.required() && rest.isEmpty()) {
                    throw new QueryException(name + "(): missing argument " + p.name());
                }
                values[i] = rest;
                continue;
            }
            Object v;
            if (next < args.size()) {
                v = args.get(next++);
                if (kwargs.containsKey(p.name())) {
                    throw new QueryException(name + "(): " + p.name() + " given twice");
                }
            } else if (kwargs.containsKey(p.name())) {
                v = kwargs.get(p.name());
            } else if (p.required()) {
                throw new QueryException(name + "(): missing argument " + p.name());
            } else {
                v = p.def();
            }
            if (v == Literal.NONE && p.required()) {
                throw new QueryException(name + "(): " + p.name() + " must not be None");
            }
            values[i] = v == null || v == Literal.NONE ? p.def() : check(p, v);
        }
        if (next < args.size()) {
            throw new QueryException(name + "(): too many arguments (" + args.size() + ", at most " + next + ")");
        }
        for (String k : kwargs.keySet()) {
            if (params.stream().noneMatch(p -> p.name().equals(k))) {
                throw new QueryException(name + "(): unknown argument " + k);
            }
        }
        return new Args(this, call, values, eval);
    }

    private Object check(Param p, Object v) {
        String what = name + "(): " + p.name();
        boolean ok = switch (p.type()) {
            case "seriesList", "seriesLists" -> v instanceof List<?>;
            case "float", "intOrInf" -> v instanceof Number;
            case "integer", "node" -> isWhole(v);
            case "nodeOrTag" -> isWhole(v) || v instanceof String;
            case "intOrInterval" -> isWhole(v) || v instanceof String;
            case "string", "interval" -> v instanceof String;
            case "boolean" -> v instanceof Boolean;
            case "aggFunc" -> v instanceof String s && AGG_FUNCS.contains(s);
            case "aggOrSeriesFunc" -> v instanceof String;
            default -> true; // any
        };
        if (!ok) {
            throw new QueryException(what + " must be " + expected(p.type()) + ", got " + describe(v));
        }
        if (p.type().equals("interval") || p.type().equals("intOrInterval") && v instanceof String) {
            GraphiteTime.offsetSeconds((String) v); // a bad interval is refused here
        }
        if (p.type().equals("float")) {
            return ((Number) v).doubleValue(); // as graphite-web's validation: constantLine(100) is named 100.0
        }
        return v;
    }

    private static boolean isWhole(Object v) {
        return v instanceof Long || v instanceof Double d && d == Math.rint(d) && !d.isInfinite();
    }

    private static String expected(String type) {
        return switch (type) {
            case "seriesList", "seriesLists" -> "a series list";
            case "float", "intOrInf" -> "a number";
            case "integer", "node" -> "a whole number";
            case "nodeOrTag" -> "a node number or a tag name";
            case "intOrInterval" -> "a whole number or a quoted interval such as '5min'";
            case "interval" -> "a quoted interval such as '1h'";
            case "string" -> "a quoted string";
            case "boolean" -> "true or false";
            case "aggFunc" -> "one of " + new java.util.TreeSet<>(AGG_FUNCS);
            default -> type;
        };
    }

    static String describe(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : value instanceof List<?> ? "a series list"
                : String.valueOf(value);
    }

    /** The arguments of one call, bound to the function's parameters. */
    static final class Args {
        final SeriesFunction fn;
        final Call call;
        private final Object[] values;
        final Evaluation eval;

        Args(SeriesFunction fn, Call call, Object[] values, Evaluation eval) {
            this.fn = fn;
            this.call = call;
            this.values = values;
            this.eval = eval;
        }

        Object get(int i) {
            return values[i];
        }

        boolean has(int i) {
            return values[i] != null;
        }

        @SuppressWarnings("unchecked")
        List<TimeSeries> series(int i) {
            return (List<TimeSeries>) values[i];
        }

        /** A multiple series-list parameter, flattened. */
        List<TimeSeries> allSeries(int i) {
            List<TimeSeries> all = new ArrayList<>();
            for (Object o : list(i)) {
                all.addAll(GraphiteQuery.seriesList(o, fn.name() + "()'s argument"));
            }
            return all;
        }

        @SuppressWarnings("unchecked")
        List<Object> list(int i) {
            return (List<Object>) values[i];
        }

        double number(int i) {
            return ((Number) values[i]).doubleValue();
        }

        int integer(int i) {
            double d = number(i);
            if (Math.abs(d) > 1_000_000_000) {
                throw new QueryException(fn.name() + "(): " + fn.params().get(i).name() + " is too large: "
                        + PyFormat.str(values[i]));
            }
            return (int) d;
        }

        String string(int i) {
            return (String) values[i];
        }

        boolean bool(int i) {
            return (Boolean) values[i];
        }
    }
}
