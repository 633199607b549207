package dev.riffle.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Every render function Riffle answers, by name: what {@code /functions} lists and targets may call. */
final class FunctionTable {
    private static final Map<String, SeriesFunction> FUNCTIONS = build();

    private FunctionTable() {
    }

    private static Map<String, SeriesFunction> build() {
        List<SeriesFunction> all = new ArrayList<>();
        all.addAll(CombineFunctions.all());
        all.addAll(TransformFunctions.all());
        all.addAll(NameFunctions.all());
        Map<String, SeriesFunction> out = new TreeMap<>();
        for (SeriesFunction f : all) {
            if (out.put(f.name(), f) != null) {
                throw new IllegalStateException("function " + f.name() + " declared twice");
            }
        }
        return out;
    }

    /** The function called {@code name}, or null. */
    static SeriesFunction find(String name) {
        return FUNCTIONS.get(name);
    }

    /** By name. */
    static Iterable<SeriesFunction> all() {
        return FUNCTIONS.values();
    }

    static String names() {
        return String.join(", ", FUNCTIONS.keySet());
    }
}
