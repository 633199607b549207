package dev.riffle.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Random event sets for property tests, and the comparison of a topology's lines with the oracle's points.
 *
 * <p>Records come in order of a base time; each event is up to {@code grace - 1} ms older than its record's
 * base, so events arrive out of order yet none is late, in whatever partitions the records are split.
 */
final class EventSets {
    private static final List<List<String>> KIND_TAGS = List.of(List.of("meter"), List.of("meter"),
            List.of("gauge"), List.of("occurrence"), List.of("histogram"), List.of("timer"), List.of(),
            List.of("meter", "gauge"));
    private static final List<String> ENVS = List.of("production", "staging", "dev", "");

    private EventSets() {
    }

    /** @return records, each a batch of one host's events */
    static List<List<Event>> random(long seed, int records, int hosts, int services, long spanMs, long graceMs) {
        return random(seed, Harness.T0, records, hosts, services, spanMs, graceMs);
    }

    static List<List<Event>> random(long seed, long t0, int records, int hosts, int services, long spanMs,
                                    long graceMs) {
        Random r = new Random(seed);
        List<List<Event>> out = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            long base = t0 + spanMs * i / records;
            String host = "h" + r.nextInt(hosts);
            List<Event> batch = new ArrayList<>();
            for (int n = 1 + r.nextInt(4); n > 0; n--) {
                long t = base - r.nextInt((int) graceMs);
                String service = r.nextInt(10) == 0 ? "hot" : "s" + r.nextInt(services);
                List<String> tags = new ArrayList<>(service.equals("hot") ? List.of("histogram")
                        : KIND_TAGS.get(r.nextInt(KIND_TAGS.size())));
                String env = ENVS.get(r.nextInt(ENVS.size()));
                if (!env.isEmpty()) {
                    tags.add(r.nextInt(tags.size() + 1), env);
                }
                Double metric = r.nextInt(8) == 0 ? null : (r.nextInt(200) - 20) / 2.0;
                Float ttl = r.nextInt(5) == 0 ? (float) (1 + r.nextInt(30)) : null;
                batch.add(new Event(t * 1000, host, service, null, null, tags, Map.of(), metric, ttl));
            }
            out.add(batch);
        }
        return out;
    }

    static List<Event> flat(List<List<Event>> records) {
        return records.stream().flatMap(List::stream).toList();
    }

    /** Last value per (path, time), as carbon keeps it. */
    static Map<String, Double> asCarbon(List<String> lines) {
        Map<String, Double> out = new TreeMap<>();
        for (String l : lines) {
            String[] parts = l.split(" ");
            out.put(parts[0] + " " + parts[2], Double.parseDouble(parts[1]));
        }
        return out;
    }

    /** Every (path, time) written once, except fleet corrections when {@code fleetMayRepeat}. */
    static void assertWrittenOnce(List<String> lines, boolean fleetMayRepeat) {
        Map<String, Integer> seen = new HashMap<>();
        for (String l : lines) {
            String[] parts = l.split(" ");
            seen.merge(parts[0] + " " + parts[2], 1, Integer::sum);
        }
        seen.forEach((point, n) -> {
            boolean fleet = point.contains("all-hosts") || point.startsWith("riffle.");
            assertTrue(n == 1 || (fleetMayRepeat && fleet), point + " written " + n + " times");
        });
    }

    /** All points equal (percentiles within histogram precision), none missing, nothing extra. */
    static void assertSamePoints(Map<String, Double> expected, Map<String, Double> actual) {
        TreeSet<String> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(actual.keySet());
        TreeSet<String> extra = new TreeSet<>(actual.keySet());
        extra.removeAll(expected.keySet());
        assertTrue(missing.isEmpty() && extra.isEmpty(), "missing " + first(missing) + " (" + missing.size()
                + "), extra " + first(extra) + " (" + extra.size() + ") of " + expected.size());
        List<String> wrong = new ArrayList<>();
        expected.forEach((point, value) -> {
            double got = actual.get(point);
            double tolerance = point.contains(".value.") ? Math.abs(value) * 1e-3 + 1e-9 : 0.0;
            if (Math.abs(got - value) > tolerance) {
                wrong.add(point + " expected " + value + " got " + got);
            }
        });
        assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())), wrong.size() + " wrong values");
    }

    private static List<String> first(TreeSet<String> s) {
        return s.stream().limit(5).toList();
    }
}
