package dev.riffle.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Draws the plot of a result file again from its Markdown table (after the plot itself changed):
 * {@code Replot bench-results/e2e-....md} rewrites the .svg beside it.
 */
public final class Replot {
    private Replot() {
    }

    public static void main(String[] args) throws IOException {
        for (String a : args) {
            Path md = Path.of(a);
            List<String> lines = Files.readAllLines(md, StandardCharsets.UTF_8);
            String title = lines.get(0).replaceFirst("^# ", "");
            Path svg = md.resolveSibling(md.getFileName().toString().replaceFirst("\\.md$", ".svg"));
            Files.writeString(svg, Report.svg(parse(lines), title), StandardCharsets.UTF_8);
            System.err.println("replot: wrote " + svg);
        }
    }

    /** The steps of a table written by {@link Report#table}. */
    static List<StepResult> parse(List<String> lines) {
        List<String> header = null;
        List<StepResult> out = new ArrayList<>();
        for (String line : lines) {
            if (!line.startsWith("|") && header != null) {
                break; // the steps' table ended: the tables after it (points topic) have other columns
            }
            if (!line.startsWith("|") || line.startsWith("|---")) {
                continue;
            }
            List<String> cells = Arrays.stream(line.substring(1, line.length() - 1).split("\\|"))
                    .map(String::trim).toList();
            if (header == null) {
                header = cells;
                continue;
            }
            List<String> h = header;
            java.util.function.ToLongFunction<String> n = col -> number(cells.get(h.indexOf(col)));
            String target = cells.get(h.indexOf("target")).replaceFirst(" \\(.*$", "");
            out.add(new StepResult(target, (int) n.applyAsLong("series"), n.applyAsLong("rate/s"), 0,
                    n.applyAsLong("offered"), n.applyAsLong("offered/s"), n.applyAsLong("acked (TCP)"),
                    n.applyAsLong("in kafka"), n.applyAsLong("counted"), n.applyAsLong("late"), -1, -1,
                    n.applyAsLong("kernel UDP drops"), n.applyAsLong("points"), n.applyAsLong("all-hosts points"),
                    n.applyAsLong("latency p50 ms"), n.applyAsLong("p99 ms"), n.applyAsLong("max ms"),
                    n.applyAsLong("all-hosts p99 ms"), n.applyAsLong("peak heap MiB"),
                    h.contains("heap after GC MiB") ? n.applyAsLong("heap after GC MiB") : -1,
                    n.applyAsLong("peak RSS MiB"),
                    0, 0, ""));
        }
        return out;
    }

    /** "1,234" -> 1234, "12 (0.5%)" -> 12, "-" -> -1. */
    private static long number(String cell) {
        String first = cell.split(" ")[0].replace(",", "");
        return first.equals("-") || first.isEmpty() ? -1 : Long.parseLong(first);
    }
}
