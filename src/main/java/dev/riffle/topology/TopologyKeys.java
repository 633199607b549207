package dev.riffle.topology;

import dev.riffle.config.ConfigKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Settings of the stream application: routing, windows and the names of results. */
public final class TopologyKeys {
    private TopologyKeys() {
    }

    public static final ConfigKey<String> APPLICATION_ID = ConfigKey.string("topology.application_id", "riffle",
            "Kafka Streams application.id; instances with the same id share the work");
    public static final ConfigKey<List<String>> ENVIRONMENTS = ConfigKey.list("topology.environments",
            List.of("production", "staging", "dev"), "tags that name an environment; the first one found wins");
    public static final ConfigKey<Integer> WINDOW_SECONDS = ConfigKey.integer("topology.window_seconds", 5, 1, 3600,
            "tumbling window length, aligned to the epoch");
    public static final ConfigKey<Integer> GRACE_MS = ConfigKey.integer("topology.grace_ms", 1000, 0, 3_600_000,
            "how long after its end a window still accepts events (event time)");
    public static final ConfigKey<String> METER_SUFFIX = ConfigKey.string("topology.suffix.meter",
            "rate-per-second", "service suffix of a meter's rate");
    public static final ConfigKey<Integer> THREADS = ConfigKey.integer("topology.threads", 1, 1, 64,
            "stream threads per instance");
    public static final ConfigKey<Long> COMMIT_INTERVAL_MS = ConfigKey.longValue("topology.commit_interval_ms", 100,
            1, 600_000, "how often offsets and state are committed");

    static Map<String, String> defaultFleetHosts() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("production", "all-hosts.production");
        m.put("staging", "all-hosts.staging");
        m.put("", "all-hosts");
        return m;
    }

    public static final ConfigKey<Map<String, String>> FLEET_HOSTS = ConfigKey.map("topology.fleet_hosts",
            defaultFleetHosts(), "pseudo-host per environment for fleet-wide metrics ('' = untagged; absent = none)");

    public static final List<ConfigKey<?>> ALL = List.of(APPLICATION_ID, ENVIRONMENTS, WINDOW_SECONDS, GRACE_MS,
            METER_SUFFIX, THREADS, COMMIT_INTERVAL_MS, FLEET_HOSTS);
}
