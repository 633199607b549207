package dev.riffle.topology;

import dev.riffle.config.CommonKeys;
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
    /** shared with the bridge, which ticks when its watermark closes a window */
    public static final ConfigKey<Integer> WINDOW_SECONDS = CommonKeys.WINDOW_SECONDS;
    public static final ConfigKey<Integer> GRACE_MS = CommonKeys.GRACE_MS;
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
    public static final ConfigKey<Integer> MAX_CLOCK_AHEAD_MS = ConfigKey.integer("topology.max_clock_ahead_ms",
            1000, 0, 86_400_000, "an event whose own time is further ahead of its arrival at the bridge is counted"
                    + " as clock-ahead and put in the window of its arrival");
    public static final ConfigKey<Integer> BRIDGE_TIMEOUT_MS = ConfigKey.integer("topology.bridge_timeout_ms",
            15_000, 1_000, 86_400_000, "a bridge whose ticks fall this far behind another bridge's is no longer"
                    + " waited for (a bridge that stops cleanly says goodbye at once)");
    /** shared with the bridge, whose own figures use it as their host */
    public static final ConfigKey<String> SELF_HOST = CommonKeys.SELF_HOST;
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

    public static final ConfigKey<Integer> STANDBY_REPLICAS = ConfigKey.integer("topology.standby_replicas", 0, 0, 8,
            "warm copies of each task's state on other instances (num.standby.replicas): faster take-over, more"
            + " changelog reading and memory");

    /**
     * A task moves to an instance only when that instance's copy of its state lags the changelog by at most this
     * many records (KIP-441's caught-up rule; see {@link StageBalancedAssignor}); else it stays where it runs and
     * the newcomer warms a copy up first. The lag is counted in changelog offsets: a journal writes about two
     * records per task and commit, of up to 256 KiB (about 20 KB at 150k series), so 100 is some 10 s to a minute
     * of a task's history, a restore of about a second; a warm copy that follows the changelog lags a few records.
     */
    public static final ConfigKey<Long> ACCEPTABLE_RECOVERY_LAG = ConfigKey.longValue(
            "topology.acceptable_recovery_lag", 100, 0, Long.MAX_VALUE, "changelog records an instance's copy of"
                    + " a task's state may lag and still take the task at once (acceptable.recovery.lag); more lag:"
                    + " it warms a copy up first and takes the task at a later probing rebalance");
    /** One sub-topology's tasks: a join moves its share of each at one probing rebalance. */
    public static final ConfigKey<Integer> MAX_WARMUP_REPLICAS = ConfigKey.integer("topology.max_warmup_replicas", 6,
            1, 1_000, "tasks being warmed up on instances that are to take them, at once, in the whole group"
                    + " (max.warmup.replicas): more moves in parallel, more changelog reading at once");
    /** Kafka Streams refuses less than a minute. */
    public static final ConfigKey<Long> PROBING_REBALANCE_INTERVAL_MS = ConfigKey.longValue(
            "topology.probing_rebalance_interval_ms", 60_000, 60_000, 86_400_000, "while warm-ups are under way,"
                    + " how often the group rebalances to move the tasks whose warm-up has caught up"
                    + " (probing.rebalance.interval.ms)");

    /**
     * Closing a window emits a point per series (and a 0.0 per silent meter): with 100k+ series that is seconds of
     * work, which must not hold the stream thread's other tasks (their events would wait) nor the sink (points
     * become visible at commit). So a close is done in slices of about this many points, each committed.
     */
    public static final ConfigKey<Integer> CLOSE_SLICE_POINTS = ConfigKey.integer("topology.close_slice_points",
            20_000, 1, 10_000_000, "points one turn of closing a window emits before the stream thread commits"
                    + " them and serves its other tasks");

    public static final ConfigKey<Integer> ROCKSDB_MEMORY_MB = ConfigKey.integer("topology.rocksdb_memory_mb", 64, 8,
            1_000_000, "native memory (MiB) all window journals of a process share for RocksDB's memtables and cache"
                    + " (the journals live off the Java heap)");

    /** the topology's own keys ({@link #WINDOW_SECONDS} and {@link #GRACE_MS} are listed in CommonKeys) */
    public static final List<ConfigKey<?>> ALL = List.of(APPLICATION_ID, ENVIRONMENTS, METER_SUFFIX, THREADS,
            COMMIT_INTERVAL_MS, FLEET_HOSTS, OCCURRENCE_SUFFIX, PERCENTILE_SUFFIX, PERCENTILES, DEFAULT_TTL_SECONDS,
            UNTAGGED_AS_GAUGE, FLEET_LATENESS_MS, MAX_CLOCK_AHEAD_MS, BRIDGE_TIMEOUT_MS, STANDBY_REPLICAS,
            ACCEPTABLE_RECOVERY_LAG, MAX_WARMUP_REPLICAS, PROBING_REBALANCE_INTERVAL_MS, CLOSE_SLICE_POINTS,
            ROCKSDB_MEMORY_MB);
}
