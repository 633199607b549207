package dev.riffle.sink;

import dev.riffle.core.SeriesId;
import dev.riffle.core.Statistic;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Prometheus name mapper: a series' metric name and labels from its identity, never from its Graphite path.
 *
 * <ul>
 *   <li>name: the service sanitised to Prometheus' rules (every character but {@code [a-zA-Z0-9_]} becomes
 *       {@code _}, a leading digit gets a {@code _} before it; colons are left to recording rules), plus
 *       {@code _occurrences} for an occurrence and {@code _per_second} for a meter's rate; a gauge and a
 *       percentile keep the bare name, a percentile with a {@code quantile} label as in a Prometheus summary;
 *   <li>labels: {@code environment} (left out without one), {@code host} (a fleet series' pseudo-host without its
 *       {@code .environment} ending: {@code all-hosts}), {@code service} (as sent), {@code quantile} (the configured
 *       rank text, {@code 0.99}).
 * </ul>
 *
 * <p>Caches the recent series (bounded, least recently used out first). Not thread-safe: one per sink thread.
 */
final class PrometheusNames {
    private final Map<SeriesId, PromSeries> cache;

    PrometheusNames(int cachedSeries) {
        this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<SeriesId, PromSeries> eldest) {
                return size() > cachedSeries;
            }
        };
    }

    PromSeries series(SeriesId id) {
        PromSeries s = cache.get(id);
        if (s == null) {
            s = of(id);
            cache.put(id, s);
        }
        return s;
    }

    /** The series of an identity (uncached). */
    static PromSeries of(SeriesId id) {
        Statistic st = id.statistic();
        String name = metricName(id.service()) + switch (st.type()) {
            case OCCURRENCES -> "_occurrences";
            case RATE -> "_per_second";
            case VALUE, PERCENTILE -> "";
        };
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("__name__", name);
        labels.put("environment", id.environment());
        labels.put("host", host(id));
        labels.put("service", id.service());
        if (st.quantile() != null) {
            labels.put("quantile", st.quantile());
        }
        return PromSeries.of(labels);
    }

    /** A per-host series' host as sent; a fleet pseudo-host without the environment it is for. */
    static String host(SeriesId id) {
        String host = id.host();
        String ending = "." + id.environment();
        if (id.fleet() && !id.environment().isEmpty() && host.endsWith(ending) && host.length() > ending.length()) {
            return host.substring(0, host.length() - ending.length());
        }
        return host;
    }

    /** A service as a metric name: {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
    static String metricName(String service) {
        StringBuilder s = new StringBuilder(service.length() + 1);
        if (service.isEmpty() || (service.charAt(0) >= '0' && service.charAt(0) <= '9')) {
            s.append('_');
        }
        for (int i = 0; i < service.length(); i++) {
            char c = service.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            s.append(ok ? c : '_');
        }
        return s.toString();
    }
}
