package dev.riffle.graph;

import static dev.riffle.graph.SeriesFunction.Param.multiple;
import static dev.riffle.graph.SeriesFunction.Param.optional;
import static dev.riffle.graph.SeriesFunction.Param.required;

import dev.riffle.graph.SeriesFunction.Args;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * graphite-web's "Alias", "Graph", "Filter Series" and "Sorting" functions: names ({@code alias},
 * {@code aliasByNode}, {@code aliasSub} with Python's regular expressions and templates, {@code cactiStyle},
 * {@code secondYAxis}), styles that only style and so leave the answer as it is ({@code color}, {@code lineWidth},
 * {@code alpha}), and choosing or ordering series ({@code exclude}, {@code limit}, {@code highestMax},
 * {@code highestCurrent}, {@code sortByMaxima}).
 */
final class NameFunctions {
    private static final SeriesFunction.Param SERIES = required("seriesList", "seriesList");

    private NameFunctions() {
    }

    static List<SeriesFunction> all() {
        List<SeriesFunction> out = new ArrayList<>();
        out.add(new SeriesFunction("alias", "Alias", "Names every series newName.",
                List.of(SERIES, required("newName", "string")),
                a -> a.series(0).stream().map(s -> s.withName(a.string(1))).toList()));
        out.add(new SeriesFunction("aliasByNode", "Alias", "Names each series by the nodes of its path.",
                List.of(SERIES, multiple("nodes", "nodeOrTag", true)),
                a -> a.series(0).stream().map(s -> s.withName(CombineFunctions.aggKey(s, a.list(1)))).toList()));
        out.add(new SeriesFunction("aliasSub", "Alias", "Replaces what the regular expression search finds in "
                + "each name by replace (\\1 for a group).", List.of(SERIES, required("search", "string"),
                        required("replace", "string")), NameFunctions::aliasSub));
        out.add(new SeriesFunction("cactiStyle", "Special", "Adds the current, maximum and minimum to each name.",
                List.of(SERIES, optional("system", "string", null), optional("units", "string", null)),
                NameFunctions::cactiStyle));
        out.add(new SeriesFunction("secondYAxis", "Graph", "Draws the series on a second y-axis.", List.of(SERIES),
                a -> a.series(0).stream().map(s -> s.withName("secondYAxis(" + s.name() + ")")).toList()));
        out.add(new SeriesFunction("color", "Graph", "A colour for the series (style only: the data is unchanged).",
                List.of(SERIES, required("theColor", "string")), a -> a.series(0)));
        out.add(new SeriesFunction("lineWidth", "Graph", "A line width (style only: the data is unchanged).",
                List.of(SERIES, required("width", "float")), a -> a.series(0)));
        out.add(new SeriesFunction("alpha", "Graph", "An opacity (style only: the data is unchanged).",
                List.of(SERIES, required("alpha", "float")), a -> a.series(0)));
        out.add(new SeriesFunction("exclude", "Filter Series", "Leaves out the series whose name the regular "
                + "expression finds.", List.of(SERIES, required("pattern", "string")), NameFunctions::exclude));
        out.add(new SeriesFunction("limit", "Filter Series", "The first n series.",
                List.of(SERIES, required("n", "integer")), a -> slice(a.series(0), a.integer(1))));
        out.add(new SeriesFunction("highestMax", "Filter Series", "The n series of the highest maximum.",
                List.of(SERIES, required("n", "integer")),
                a -> slice(sortedDescending(a.series(0), NameFunctions::max), a.integer(1))));
        out.add(new SeriesFunction("highestCurrent", "Filter Series", "The n series of the highest last value.",
                List.of(SERIES, required("n", "integer")),
                a -> slice(sortedDescending(a.series(0), NameFunctions::last), a.integer(1))));
        out.add(new SeriesFunction("sortByMaxima", "Sorting", "The series by their maximum, highest first.",
                List.of(SERIES), a -> sortedDescending(a.series(0), NameFunctions::max)));
        return out;
    }

    /** Python's {@code list[:n]}: a negative n leaves out the last -n. */
    private static List<TimeSeries> slice(List<TimeSeries> list, int n) {
        int to = n < 0 ? Math.max(0, list.size() + n) : Math.min(n, list.size());
        return List.copyOf(list.subList(0, to));
    }

    /** Stable, highest first; a series of nulls only counts as minus infinity (graphite-web's keyFunc). */
    private static List<TimeSeries> sortedDescending(List<TimeSeries> list, ToDoubleFunction<TimeSeries> key) {
        List<TimeSeries> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparingDouble(key).reversed());
        return sorted;
    }

    private static double max(TimeSeries s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s.values()) {
            if (!Double.isNaN(v) && v > max) {
                max = v;
            }
        }
        return max;
    }

    private static double last(TimeSeries s) {
        double[] v = s.values();
        for (int i = v.length - 1; i >= 0; i--) {
            if (!Double.isNaN(v[i])) {
                return v[i];
            }
        }
        return Double.NEGATIVE_INFINITY;
    }

    private static double min(TimeSeries s) {
        double min = Double.POSITIVE_INFINITY;
        for (double v : s.values()) {
            if (!Double.isNaN(v) && v < min) {
                min = v;
            }
        }
        return min;
    }

    /** A Python regular expression as Java reads it: named groups {@code (?P<n>...)} and {@code (?P=n)}. */
    static Pattern pythonRegex(String fn, String regex) {
        String java = regex.replace("(?P<", "(?<").replaceAll("\\(\\?P=(\\w+)\\)", "\\\\k<$1>");
        try {
            return Pattern.compile(java);
        } catch (PatternSyntaxException e) {
            throw new QueryException(fn + "(): bad regular expression '" + regex + "': " + e.getDescription());
        }
    }

    private static List<TimeSeries> exclude(Args a) {
        Pattern regex = pythonRegex("exclude", a.string(1));
        return a.series(0).stream().filter(s -> !regex.matcher(s.name()).find()).toList();
    }

    private static List<TimeSeries> aliasSub(Args a) {
        Pattern search = pythonRegex("aliasSub", a.string(1));
        String template = a.string(2);
        List<TimeSeries> out = new ArrayList<>();
        for (TimeSeries s : a.series(0)) {
            Matcher m = search.matcher(s.name());
            StringBuilder name = new StringBuilder();
            int last = 0;
            while (m.find()) {
                name.append(s.name(), last, m.start());
                name.append(expand(template, m));
                last = m.end(); // after an empty match the next search starts one on, as Python's re.sub
            }
            name.append(s.name().substring(last));
            out.add(s.withName(name.toString()));
        }
        return out;
    }

    /** Python's re.sub template: {@code \1}, {@code \g<1>}, {@code \g<name>}, {@code \\}, {@code \n}, {@code \t}. */
    static String expand(String template, Matcher m) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '\\' || i + 1 >= template.length()) {
                out.append(c);
                continue;
            }
            char d = template.charAt(++i);
            if (Character.isDigit(d)) {
                int j = i + 1;
                if (j < template.length() && Character.isDigit(template.charAt(j)) && j - i < 2) {
                    j++;
                }
                out.append(group(m, template.substring(i, j)));
                i = j - 1;
            } else if (d == 'g' && i + 1 < template.length() && template.charAt(i + 1) == '<') {
                int close = template.indexOf('>', i);
                if (close < 0) {
                    throw new QueryException("aliasSub(): missing '>' in group name of '" + template + "'");
                }
                out.append(group(m, template.substring(i + 2, close)));
                i = close;
            } else if ("ntrfvab\\".indexOf(d) >= 0) {
                out.append("\n\t\r\f\u000b\u0007\b\\".charAt("ntrfvab\\".indexOf(d)));
            } else if (d < 128 && Character.isLetter(d)) {
                // Python refuses an unknown escape of a letter (graphite-web then fails with a 500)
                throw new QueryException("aliasSub(): bad escape \\" + d + " in '" + template + "'");
            } else {
                out.append('\\').append(d); // kept, as Python keeps \. or \-
            }
        }
        return out.toString();
    }

    private static String group(Matcher m, String ref) {
        try {
            String g = ref.chars().allMatch(Character::isDigit) ? m.group(Integer.parseInt(ref)) : m.group(ref);
            return g == null ? "" : g;
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new QueryException("aliasSub(): invalid group reference " + ref);
        }
    }

    private static List<TimeSeries> cactiStyle(Args a) {
        List<TimeSeries> in = a.series(0);
        String system = a.has(1) ? a.string(1) : null;
        String units = a.has(2) ? a.string(2) : null;
        if (system != null && !system.equals("si") && !system.equals("binary")) {
            throw new QueryException("cactiStyle(): system must be si or binary, got \"" + system + "\"");
        }
        int nameLen = 0;
        int lastLen = 0;
        int maxLen = 0;
        int minLen = 0;
        for (TimeSeries s : in) {
            nameLen = Math.max(nameLen, s.name().length());
            lastLen = Math.max(lastLen, format(truncOr3(last(s)), system, units).length() + 3);
            maxLen = Math.max(maxLen, format(truncOr3(max(s)), system, units).length() + 3);
            minLen = Math.max(minLen, format(truncOr3(min(s)), system, units).length() + 3);
        }
        List<TimeSeries> out = new ArrayList<>();
        for (TimeSeries s : in) {
            String name = pad(s.name(), nameLen) + " Current:" + pad(formatOrNan(last(s), system, units), lastLen)
                    + " Max:" + pad(formatOrNan(max(s), system, units), maxLen)
                    + " Min:" + pad(formatOrNan(min(s), system, units), minLen) + " ";
            out.add(s.withName(name));
        }
        return out;
    }

    /** Python's {@code int(value or 3)}: no value, or 0, counts as 3. */
    private static double truncOr3(double v) {
        return Double.isInfinite(v) || v == 0 ? 3 : (double) (long) v;
    }

    private static String formatOrNan(double v, String system, String units) {
        return Double.isInfinite(v) ? "nan" : format(v, system, units);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** cactiStyle's fmt: {@code %.2f}, with graphite's format_units when a system is given, then the units. */
    private static String format(double v, String system, String units) {
        if (system == null) {
            return PyFormat.fixed2(v) + (units == null ? "" : " " + units);
        }
        double base = system.equals("si") ? 1000.0 : 1024.0;
        String[] prefixes = system.equals("si") ? new String[] {"P", "T", "G", "M", "k"}
                : new String[] {"Pi", "Ti", "Gi", "Mi", "Ki"};
        String prefix = "";
        double shown = v;
        for (int i = 0; i < prefixes.length; i++) {
            double size = BigDecimal.valueOf(base).pow(prefixes.length - i).doubleValue();
            if (Math.abs(v) >= size) {
                shown = v / size;
                prefix = prefixes[i];
                break;
            }
        }
        if (shown - Math.floor(shown) < 0.00000000001 && v > 1) {
            shown = Math.floor(shown);
        }
        if (units != null) {
            return PyFormat.fixed2(shown) + " " + prefix + units;
        }
        return PyFormat.fixed2(shown) + prefix;
    }
}
