package dev.riffle.ingest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last value of each statsd gauge, so that a {@code +3} or {@code -2} line can be turned into a value.
 * Bounded: beyond the limit the least recently used gauge is forgotten (its next change starts from 0, as in
 * statsd after a restart).
 */
final class GaugeMemory {
    private final Map<String, Double> last;

    GaugeMemory(int maxGauges) {
        this.last = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Double> eldest) {
                return size() > maxGauges;
            }
        };
    }

    synchronized void set(String host, String name, double value) {
        last.put(key(host, name), value);
    }

    /** The last value remembered, 0 when none (statsd's rule); counts as a use for the least-recently-used order. */
    synchronized double get(String host, String name) {
        return last.getOrDefault(key(host, name), 0.0);
    }

    synchronized int size() {
        return last.size();
    }

    private static String key(String host, String name) {
        return host + '\n' + name;
    }
}
