package dev.riffle.bench.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The benchmark's output: a Markdown table of the steps, and an SVG plot of throughput and latency vs load. */
final class Report {
    private Report() {
    }

    static final String[] COLUMNS = {"target", "series", "rate/s", "offered", "offered/s", "acked (TCP)",
        "in kafka", "counted", "late", "lost", "meters lost", "kernel UDP drops", "points", "all-hosts points", "latency p50 ms",
        "p99 ms", "max ms", "all-hosts p99 ms", "peak heap MiB", "heap after GC MiB", "peak RSS MiB", "CPU cores", "bench CPU cores"};

    static String table(List<StepResult> steps) {
        StringBuilder md = new StringBuilder();
        md.append('|');
        for (String c : COLUMNS) {
            md.append(' ').append(c).append(" |");
        }
        md.append("\n|");
        for (int i = 0; i < COLUMNS.length; i++) {
            md.append(i < 2 ? "---|" : "---:|");
        }
        md.append('\n');
        for (StepResult s : steps) {
            String[] cells = {s.target() + (s.note().isEmpty() ? "" : " (" + s.note() + ")"), count(s.series()),
                count(s.rate()), count(s.offered()), count(Math.round(s.offeredPerSecond())), count(s.acked()),
                count(s.inKafka()), count(s.counted()), count(s.late()), lost(s.lost(), s.offered()),
                lost(s.meterLost(), s.meterOffered()), count(s.kernelDrops()), count(s.points()), count(s.fleetPoints()),
                count(s.p50Ms()),
                count(s.p99Ms()), count(s.maxMs()), count(s.fleetP99Ms()), count(s.peakHeapMiB()), count(s.liveHeapMiB()),
                count(s.peakRssMiB()),
                String.format(Locale.ROOT, "%.2f", s.cores()), String.format(Locale.ROOT, "%.2f", s.benchCores())};
            md.append('|');
            for (String c : cells) {
                md.append(' ').append(c).append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    /**
     * Issue 19, per riffle step: what the points topic got (records, points, window times among them) and the
     * alert stage's figures (points evaluated, the largest lag in the status lines, points 2 windows behind), and
     * the step's points that reached the listener 2 windows or more after their time (-1: none counted).
     */
    record TopicRow(String tag, String target, int series, long rate, PointsTopic.Figures topic, long alertPoints,
                    long alertLagMs, long alertBehind, long sinkBehind) {
    }

    static final String TOPIC_DOC = String.join("\n",
            "Points topic and alert stage, per riffle step (issue 19):",
            "",
            "- **points records**: records written to the points topic during the step (committed ones, between the",
            "  topic's end offsets at the step's start and at its end; the previous step's late fill-ins included),",
            "  read back and decoded: **points in them**, **windows** (distinct record times, i.e. window starts and",
            "  clock times), and per window. Before points went in batches every point was one record.",
            "- **alert points**: points the alert stage evaluated during the step (its status line); **alert lag",
            "  max**: the largest lag its status lines said during the step (wall clock at evaluation minus the",
            "  point's time, its window's start, over the last 5-10 s; so a point evaluated as soon as the topology",
            "  writes it shows the window, the grace and the topology's closing); **10+ s behind**: points evaluated",
            "  two windows or more after their time. A dash: riffle ran without alert rules (`--alert-rules 0`).",
            "- **sink points 10+ s behind**: the step's points that reached the Graphite listener 10 s or more after",
            "  their window's start (5 s or more after its end): what the topology and the sink took, which the alert",
            "  stage, reading the same points topic, cannot beat.",
            "");

    static String topicTable(List<TopicRow> rows) {
        StringBuilder md = new StringBuilder("| step | target | series | rate/s | points records | points in them | "
                + "points/record | windows | points records/window | points/window | alert points | alert lag max ms "
                + "| alert points 10+ s behind | sink points 10+ s behind |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (TopicRow r : rows) {
            PointsTopic.Figures t = r.topic();
            md.append("| ").append(r.tag()).append(" | riffle ").append(r.target()).append(" | ")
                    .append(count(r.series())).append(" | ").append(count(r.rate())).append(" | ")
                    .append(count(t.records())).append(t.complete() ? "" : " (read incomplete)").append(" | ")
                    .append(count(t.points())).append(" | ")
                    .append(t.records() == 0 ? "-"
                            : String.format(Locale.ROOT, "%.1f", (double) t.points() / t.records()))
                    .append(" | ").append(t.windows()).append(" | ").append(count(t.recordsPerWindow())).append(" | ")
                    .append(count(t.pointsPerWindow())).append(" | ").append(count(r.alertPoints())).append(" | ")
                    .append(count(r.alertLagMs())).append(" | ").append(count(r.alertBehind())).append(" | ")
                    .append(count(r.sinkBehind())).append(" |\n");
        }
        return md.toString();
    }

    /** A count with thousands separators, or a dash for -1. */
    static String count(long n) {
        return n < 0 ? "-" : String.format(Locale.ROOT, "%,d", n);
    }

    /** Lost events with their share of the offered ones: "1,234 (0.52%)"; a dash when unknown. */
    static String lost(long lost, long offered) {
        if (lost == -1 && offered >= 0) {
            return "-";
        }
        if (offered <= 0) {
            return count(lost);
        }
        return String.format(Locale.ROOT, "%,d (%.2f%%)", lost, 100.0 * lost / offered);
    }

    // ---- the plot ----

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    private static final String[] DASHES = {"", "6,3", "2,3", "10,3,2,3"};

    /**
     * Two panels side by side: events counted per second, and latency p50 (thin) and p99 (thick) in ms, each
     * against the offered events per second; one line per target and series count (colour = target, dash =
     * series count).
     */
    static String svg(List<StepResult> steps, String title) {
        Map<String, List<StepResult>> lines = new LinkedHashMap<>();
        List<String> targets = new ArrayList<>();
        List<Integer> seriesCounts = new ArrayList<>();
        List<StepResult> ordered = new ArrayList<>(steps);
        ordered.sort(java.util.Comparator.comparing(StepResult::target).thenComparingInt(StepResult::series));
        for (StepResult s : ordered) {
            lines.computeIfAbsent(s.target() + " " + s.series(), k -> new ArrayList<>()).add(s);
            if (!targets.contains(s.target())) {
                targets.add(s.target());
            }
            if (!seriesCounts.contains(s.series())) {
                seriesCounts.add(s.series());
            }
        }
        double maxX = 1;
        double maxThroughput = 1;
        double maxLatency = 1;
        for (StepResult s : steps) {
            maxX = Math.max(maxX, s.offeredPerSecond());
            maxThroughput = Math.max(maxThroughput, Math.max(s.countedPerSecond(), s.offeredPerSecond()));
            maxLatency = Math.max(maxLatency, s.p99Ms());
        }
        int panelW = 440;
        int panelH = 300;
        int left = 70;
        int top = 50;
        int gap = 90;
        int legendH = 22 * ((targets.size() * seriesCounts.size() + 2) / 2) + 30;
        int width = left + 2 * panelW + gap + 30;
        int height = top + panelH + 60 + legendH;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">\n", width, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\" font-weight=\"bold\">%s</text>\n",
                left, escape(title)));
        double xMax = niceCeiling(maxX * 1.05);
        double yMaxT = niceCeiling(maxThroughput * 1.05);
        double yMaxL = niceCeiling(maxLatency * 1.05);
        int[] origins = {left, left + panelW + gap};
        String[] yLabels = {"events counted per second", "latency ms (p50 thin, hollow; p99 thick)"};
        double[] yMaxes = {yMaxT, yMaxL};
        for (int p = 0; p < 2; p++) {
            axes(svg, origins[p], top, panelW, panelH, xMax, yMaxes[p], "offered events per second", yLabels[p]);
        }
        // the ideal: everything offered is counted
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#bbb\" "
                        + "stroke-dasharray=\"1,3\"/>\n", (double) origins[0], (double) top + panelH,
                origins[0] + panelW * Math.min(1, yMaxT / xMax), top + panelH - panelH * Math.min(1, xMax / yMaxT)));
        int legend = 0;
        for (Map.Entry<String, List<StepResult>> e : lines.entrySet()) {
            List<StepResult> pts = new ArrayList<>(e.getValue());
            pts.sort((a, b) -> Double.compare(a.offeredPerSecond(), b.offeredPerSecond()));
            StepResult first = pts.get(0);
            String color = COLORS[targets.indexOf(first.target()) % COLORS.length];
            String dash = DASHES[seriesCounts.indexOf(first.series()) % DASHES.length];
            polyline(svg, pts, origins[0], top, panelW, panelH, xMax, yMaxT, color, dash, 2, false,
                    StepResult::countedPerSecond);
            polyline(svg, pts, origins[1], top, panelW, panelH, xMax, yMaxL, color, dash, 1, true, s -> s.p50Ms());
            polyline(svg, pts, origins[1], top, panelW, panelH, xMax, yMaxL, color, dash, 2.5, false,
                    s -> s.p99Ms());
            int lx = left + (legend % 2) * (panelW + gap); // two columns, under the two panels
            int ly = top + panelH + 60 + (legend / 2) * 22;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"2.5\"%s/>\n", lx, ly - 4, lx + 36, ly - 4, color, dashAttr(dash)));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s, %,d series</text>\n", lx + 44, ly,
                    escape(first.target()), first.series()));
            legend++;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private interface Y {
        double of(StepResult s);
    }

    private static void polyline(StringBuilder svg, List<StepResult> pts, int x0, int top, int w, int h, double xMax,
                                 double yMax, String color, String dash, double width, boolean hollow, Y y) {
        StringBuilder points = new StringBuilder();
        for (StepResult s : pts) {
            double v = y.of(s);
            if (v < 0) {
                continue;
            }
            double px = x0 + w * s.offeredPerSecond() / xMax;
            double py = top + h - h * Math.min(1, v / yMax);
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\" stroke=\"%s\"/>\n",
                    px, py, hollow ? "white" : color, color));
        }
        if (points.length() > 0) {
            svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
                    + "stroke-width=\"%.1f\"%s/>\n", points.toString().trim(), color, width, dashAttr(dash)));
        }
    }

    private static String dashAttr(String dash) {
        return dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\"";
    }

    private static void axes(StringBuilder svg, int x0, int top, int w, int h, double xMax, double yMax,
                             String xLabel, String yLabel) {
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#444\"/>\n", x0, top, w, h));
        for (int i = 0; i <= 5; i++) {
            double fx = xMax * i / 5;
            double fy = yMax * i / 5;
            int px = x0 + w * i / 5;
            int py = top + h - h * i / 5;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>\n",
                    px, top, px, top + h));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>\n",
                    x0, py, x0 + w, py));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", px,
                    top + h + 16, shortNumber(fx)));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", x0 - 6,
                    py + 4, shortNumber(fy)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x0 + w / 2,
                top + h + 36, escape(xLabel)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 %d %d)\">%s</text>\n", x0 - 52, top + h / 2, x0 - 52, top + h / 2,
                escape(yLabel)));
    }

    /** The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^n) at or above v. */
    static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String shortNumber(double v) {
        if (v >= 1_000_000) {
            return trim(v / 1_000_000) + "M";
        }
        if (v >= 1_000) {
            return trim(v / 1_000) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
