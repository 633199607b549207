package dev.riffle.topology;

import dev.riffle.core.Event;
import dev.riffle.core.GraphitePath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The expected points of a set of events, by brute force over plain collections: every event of a series
 * and window is kept and looked at again. Written from README "Semantics" without the topology's classes, so
 * that the two can only agree by both being right. Assumes no event is late.
 */
final class Oracle {
    static final long WINDOW = 5_000;
    static final List<String> ENVIRONMENTS = List.of("production", "staging", "dev");
    static final Map<String, String> FLEET = Map.of("production", "all-hosts.production",
            "staging", "all-hosts.staging", "", "all-hosts");
    static final double[] RANKS = {0.5, 0.75, 0.95, 0.99, 1};
    static final String[] RANK_NAMES = {"0.5", "0.75", "0.95", "0.99", "1"};

    private final long defaultTtl;

    Oracle(long defaultTtlMs) {
        this.defaultTtl = defaultTtlMs;
    }

    /** One event reduced to what a series needs. */
    record Sample(long time, Double metric, long expiry) {
    }

    /** (host, result kind, service) -> window start -> samples */
    private final Map<List<String>, TreeMap<Long, List<Sample>>> series = new HashMap<>();

    /** path + " " + seconds -> value */
    Map<String, Double> points(List<Event> events) {
        Map<Long, long[]> processed = new TreeMap<>();
        Map<Long, long[]> unknown = new TreeMap<>();
        for (Event e : events) {
            long t = e.timeMillis();
            long w = Math.floorDiv(t, WINDOW) * WINDOW;
            count(processed, w, t);
            String env = "";
            for (String candidate : ENVIRONMENTS) {
                if (e.tags().contains(candidate)) {
                    env = candidate;
                    break;
                }
            }
            List<String> kinds = new ArrayList<>();
            for (String tag : List.of("gauge", "occurrence", "meter", "histogram")) {
                if (e.tags().contains(tag) || (tag.equals("histogram") && e.tags().contains("timer"))) {
                    kinds.add(tag);
                }
            }
            if (kinds.isEmpty()) {
                count(unknown, w, t);
                continue;
            }
            long expiry = t + (e.ttl() == null ? defaultTtl : (long) (e.ttl() * 1000.0));
            String host = env.isEmpty() ? e.host() : e.host() + "." + env;
            for (String kind : kinds) {
                if (e.metric() == null && (kind.equals("gauge") || kind.equals("histogram"))) {
                    continue;
                }
                Sample s = new Sample(t, e.metric(), expiry);
                add(List.of("host", host, kind, e.service()), w, s);
                if (FLEET.containsKey(env)) {
                    add(List.of("fleet", FLEET.get(env), kind, e.service()), w, s);
                }
            }
        }
        Map<String, Double> out = new TreeMap<>();
        Map<Long, long[]> hostPoints = new TreeMap<>();
        series.forEach((key, windows) -> {
            for (Map.Entry<Long, List<Sample>> w : windows.entrySet()) {
                String service = key.get(3);
                switch (key.get(2)) {
                    case "meter" -> put(out, key.get(1), service + " rate-per-second", w.getKey(), rate(w.getValue()));
                    case "occurrence" -> put(out, key.get(1), service + " occurrences", w.getKey(), 1.0);
                    case "gauge" -> put(out, key.get(1), service, w.getKey(), last(w.getValue()).metric());
                    default -> {
                        List<Double> sorted = w.getValue().stream().map(Sample::metric).sorted().toList();
                        for (int i = 0; i < RANKS.length; i++) {
                            int rank = (int) Math.min(sorted.size() - 1, Math.floor(sorted.size() * RANKS[i]));
                            put(out, key.get(1), service + " value " + RANK_NAMES[i], w.getKey(), sorted.get(rank));
                        }
                    }
                }
                if (key.get(0).equals("host")) {
                    for (int i = key.get(2).equals("histogram") ? 5 : 1; i > 0; i--) {
                        count(hostPoints, w.getKey(), w.getKey());
                    }
                }
            }
            if (key.get(2).equals("meter")) {
                for (long zero : zeros(windows)) {
                    put(out, key.get(1), key.get(3) + " rate-per-second", zero, 0.0);
                    if (key.get(0).equals("host")) {
                        count(hostPoints, zero, zero);
                    }
                }
            }
        });
        selfMeter(out, "raw-events-processed", processed);
        selfMeter(out, "unknown-kinds", unknown);
        selfMeter(out, "points-emitted", hostPoints);
        return out;
    }

    private void add(List<String> key, long window, Sample s) {
        series.computeIfAbsent(key, k -> new TreeMap<>()).computeIfAbsent(window, w -> new ArrayList<>()).add(s);
    }

    private static void count(Map<Long, long[]> counts, long window, long time) {
        long[] c = counts.computeIfAbsent(window, w -> new long[] {0, Long.MIN_VALUE});
        c[0]++;
        c[1] = Math.max(c[1], time);
    }

    /**
     * Self metrics: meters of what was counted per window. Expiry runs from the latest counted event (for
     * points, from the window start) plus the default ttl.
     */
    private void selfMeter(Map<String, Double> out, String service, Map<Long, long[]> counts) {
        TreeMap<Long, List<Sample>> windows = new TreeMap<>();
        counts.forEach((w, c) -> windows.put(w, List.of(new Sample(c[1], (double) c[0], c[1] + defaultTtl))));
        for (Map.Entry<Long, List<Sample>> w : windows.entrySet()) {
            put(out, "riffle", service + " rate-per-second", w.getKey(), rate(w.getValue()));
        }
        for (long zero : zeros(windows)) {
            put(out, "riffle", service + " rate-per-second", zero, 0.0);
        }
    }

    /** Silent windows after a window with data that start before its last event expires. */
    private static List<Long> zeros(TreeMap<Long, List<Sample>> windows) {
        List<Long> zeros = new ArrayList<>();
        for (Map.Entry<Long, List<Sample>> w : windows.entrySet()) {
            long expiry = last(w.getValue()).expiry();
            for (long s = w.getKey() + WINDOW; s < expiry && !windows.containsKey(s); s += WINDOW) {
                zeros.add(s);
            }
        }
        return zeros;
    }

    private static double rate(List<Sample> samples) {
        double sum = 0;
        for (Sample s : samples) {
            sum += s.metric() == null ? 1.0 : s.metric();
        }
        return sum * 1000.0 / WINDOW;
    }

    /** The latest sample; on a tie the larger metric (gauge) and the later expiry (meter). */
    private static Sample last(List<Sample> samples) {
        Sample best = samples.get(0);
        for (Sample s : samples) {
            if (s.time() > best.time()) {
                best = s;
            } else if (s.time() == best.time()) {
                double m = Math.max(s.metric() == null ? 0 : s.metric(), best.metric() == null ? 0 : best.metric());
                best = new Sample(s.time(), best.metric() == null && s.metric() == null ? null : m,
                        Math.max(s.expiry(), best.expiry()));
            }
        }
        return best;
    }

    private static void put(Map<String, Double> out, String host, String service, long window, double value) {
        Double old = out.put(GraphitePath.of(host, service) + " " + window / 1000, value);
        if (old != null) {
            throw new IllegalStateException("oracle produced two points for " + host + " " + service + " " + window);
        }
    }
}
