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
    public static final ConfigKey<String> OCCURRENCE_SUFFIX = ConfigKey.string("topology.suffix.occurrence",
            "occurrences", "service suffix of an occurrence");
    public static final ConfigKey<String> PERCENTILE_SUFFIX = ConfigKey.string("topology.suffix.percentile",
            "value", "service suffix before the rank of a histogram or timer percentile");
    public static final ConfigKey<List<String>> PERCENTILES = ConfigKey.list("topology.percentiles",
            List.of("0.5", "0.75", "0.95", "0.99", "1"), "ranks reported for histograms and timers (0 to 1)");
    public static final ConfigKey<Integer> DEFAULT_TTL_SECONDS = ConfigKey.integer("topology.default_ttl_seconds",
            60, 1, 86_400, "expiry of an event without a ttl: how long a silent meter keeps getting 0.0");
    public static final ConfigKey<Boolean> UNTAGGED_AS_GAUGE = ConfigKey.bool("topology.untagged_as_gauge", false,
            "treat events with no kind tag as gauges (false: count them as unknown-kinds and ignore them)");
    public static final ConfigKey<Integer> FLEET_LATENESS_MS = ConfigKey.integer("topology.fleet_lateness_ms",
            60_000, 0, 86_400_000, "how long an emitted fleet window still takes corrections from lagging tasks");
    public static final ConfigKey<Integer> LIVE_LAG_MS = ConfigKey.integer("topology.live_lag_ms", 60_000, 0,
            86_400_000, "a task closes windows by the wall clock when idle only while live: its latest events were"
                    + " at most this far behind the wall clock when they arrived (a replay or catch-up never is)");
    public static final ConfigKey<String> SELF_HOST = ConfigKey.string("topology.self_host", "riffle",
            "host of Riffle's own metrics (raw-events-processed, late-events, unknown-kinds, points-emitted)");
    public static final ConfigKey<Integer> THREADS = ConfigKey.integer("topology.threads", 1, 1, 64,
            "stream threads per instance");
    /**
     * Open windows are saved at each commit, about one record per changed series: at 100 ms that is close to
     * one per event at 250k events/s (measured: 190k events/s vs 320k at 1000 ms). Points become visible to
     * read_committed consumers at commit, so this adds up to a second to the 5 s window + 1 s grace.
     */
    public static final ConfigKey<Long> COMMIT_INTERVAL_MS = ConfigKey.longValue("topology.commit_interval_ms", 1000,
            1, 600_000, "how often offsets and state are committed (points become visible at commit)");

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
            METER_SUFFIX, THREADS, COMMIT_INTERVAL_MS, FLEET_HOSTS, OCCURRENCE_SUFFIX, PERCENTILE_SUFFIX, PERCENTILES,
            DEFAULT_TTL_SECONDS, UNTAGGED_AS_GAUGE, FLEET_LATENESS_MS, LIVE_LAG_MS, SELF_HOST);
}
