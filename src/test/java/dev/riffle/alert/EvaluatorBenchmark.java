package dev.riffle.alert;

import java.util.List;
import java.util.Random;

/**
 * The evaluator's own cost (rule matching and state, no Kafka, a sorted in-memory map as store):
 * 1,000 rules over 150,000 series (1,500 hosts x 100 services), each point matching 10 threshold rules, and one
 * absence rule over every series ({@code -Drules=100}: the 100 rules, a point matching 3 to 5). Run:
 * {@code java -cp <test classpath> dev.riffle.alert.EvaluatorBenchmark [windows] [steady|storm]}.
 */
public final class EvaluatorBenchmark {
    public static void main(String[] args) {
        int hosts = 1500;
        int services = 100;
        int windows = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        // "steady": each series near its own level, 1 point in 200 far off (a realistic day); "storm": uniform
        // values across every threshold, so most points change some alert's state (the worst case)
        boolean storm = args.length > 1 && args[1].equals("storm");
        List<Rule> rules = BenchRules.parsed(System.getProperty("rules", "1000"));
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        PointEvaluator e = new PointEvaluator(rules, StateView.inMemory(), 10_000_000);
        Random r = new Random(1);
        String[] paths = new String[hosts * services];
        for (int h = 0; h < hosts; h++) {
            for (int s = 0; s < services; s++) {
                paths[h * services + s] = "production.h" + h + ".svc" + s + ".value.99";
            }
        }
        long t0 = 1_700_000_000_000L;
        long transitions = 0;
        long points = 0;
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long steadyStart = 0;
        long steadyPoints = 0;
        for (int w = 0; w < windows; w++) {
            if (w == 2) {
                steadyStart = System.nanoTime();
                steadyPoints = points;
            }
            for (int i = 0; i < paths.length; i++) {
                double v = storm ? r.nextDouble() * 1000 : r.nextInt(200) == 0 ? 2000 : 50 + r.nextDouble() * 10;
                transitions += e.onPoint(paths[i], t0 + w * 5000L, v).size();
                points++;
                if ((i + 1) % services == 0) {
                    e.endRecord(); // one points record per host and window, as the topology writes them
                }
            }
        }
        long end = System.nanoTime();
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        System.out.printf("%s: rules %d, series %d, windows %d, points %d, transitions %d%n",
                storm ? "storm" : "steady", rules.size(), paths.length, windows, points, transitions);
        System.out.printf("all windows: %.0f points/s; after the first two (match cache warm): %.0f points/s%n",
                points / ((end - start) / 1e9), (points - steadyPoints) / ((end - steadyStart) / 1e9));
        System.out.printf("CPU %.1f s: %.0f points/s per busy thread over all windows%n", cpu / 1e9,
                points / (cpu / 1e9));
        System.out.printf("states kept %d; heap held by the evaluator and its store after GC: %d MB%n", e.tracked(),
                (after - before) / (1024 * 1024));
    }
}
