package dev.riffle.sink;

import dev.riffle.config.ConfigKey;
import dev.riffle.config.HostPort;
import java.util.List;

/** Settings of the Graphite writer. */
public final class SinkKeys {
    private SinkKeys() {
    }

    public static final ConfigKey<List<HostPort>> GRAPHITE = ConfigKey.endpoints("graphite", "127.0.0.1:2003",
            "carbon plaintext endpoint(s), host:port; none = do not write to Graphite");
    public static final ConfigKey<Boolean> PRINT_POINTS = ConfigKey.bool("print_points", false,
            "also print every point to stdout as a Graphite plaintext line");
    public static final ConfigKey<Boolean> PRINT_SELF = ConfigKey.bool("print_self", false,
            "with print_points, also print Riffle's own figures (paths under topology.self_host, riffle.*)");
    public static final ConfigKey<String> GROUP_ID = ConfigKey.string("sink.group_id", "riffle-sink",
            "consumer group of the sink; instances with the same id share the points");
    public static final ConfigKey<Mode> MODE = ConfigKey.choice("sink.mode", Mode.ALL,
            "with several endpoints: all = every point to every endpoint, hash = each path to one endpoint "
                    + "chosen by consistent hashing");
    public static final ConfigKey<Integer> MAX_BACKOFF_MS = ConfigKey.integer("sink.max_backoff_ms", 2_000, 100,
            600_000, "longest wait between reconnection attempts to carbon");
    public static final ConfigKey<Integer> BATCH_BYTES = ConfigKey.integer("sink.batch_bytes", 65_536, 4_096,
            16 << 20, "bytes of lines gathered per endpoint before they are written");
    public static final ConfigKey<Integer> FLUSH_MS = ConfigKey.integer("sink.flush_ms", 100, 1, 10_000,
            "longest time a point waits in a batch before it is written");
    public static final ConfigKey<Integer> WRITE_TIMEOUT_MS = ConfigKey.integer("sink.write_timeout_ms", 10_000,
            100, 600_000, "a batch carbon does not take within this long counts as an outage (also the connect "
                    + "timeout)");
    public static final ConfigKey<Integer> COMMIT_DELAY_MS = ConfigKey.integer("sink.commit_delay_ms", 2_000, 0,
            600_000, "offsets are committed once the batch was written and every connection stayed open this long "
                    + "afterwards");
    public static final ConfigKey<Boolean> SELF_METRICS = ConfigKey.bool("sink.self_metrics", true,
            "write the sink's own figures to carbon every 5 s under riffle.sink.<instance>");
    public static final ConfigKey<String> INSTANCE = ConfigKey.optionalString("sink.instance",
            "this sink's name in its self metrics; empty = the host name up to its first dot");

    public static final ConfigKey<String> PROMETHEUS_URL = ConfigKey.optionalString("prometheus.remote_write_url",
            "Prometheus remote write endpoint, e.g. http://127.0.0.1:9090/api/v1/write; empty = off");
    public static final ConfigKey<String> PROMETHEUS_BEARER_TOKEN_FILE = ConfigKey.optionalString(
            "prometheus.bearer_token_file", "file holding a bearer token sent with every request (read each time)");
    public static final ConfigKey<String> PROMETHEUS_BASIC_AUTH_USER = ConfigKey.optionalString(
            "prometheus.basic_auth_user", "basic auth user (password in prometheus.basic_auth_password_file)");
    public static final ConfigKey<String> PROMETHEUS_BASIC_AUTH_PASSWORD_FILE = ConfigKey.optionalString(
            "prometheus.basic_auth_password_file", "file holding the basic auth password (read each time)");
    public static final ConfigKey<String> PROMETHEUS_CA_FILE = ConfigKey.optionalString("prometheus.ca_file",
            "PEM CA certificates trusted for an https URL; empty = the JVM's trust store");
    public static final ConfigKey<String> PROMETHEUS_TENANT = ConfigKey.optionalString("prometheus.tenant",
            "tenant sent as X-Scope-OrgID (Mimir, Cortex); empty = none");
    public static final ConfigKey<Integer> PROMETHEUS_TIMEOUT_MS = ConfigKey.integer("prometheus.timeout_ms", 10_000,
            100, 600_000, "connect and request timeout of a remote write request");
    public static final ConfigKey<Integer> PROMETHEUS_BATCH_SAMPLES = ConfigKey.integer("prometheus.batch_samples",
            2_000, 1, 100_000, "samples per remote write request at most");
    public static final ConfigKey<Integer> PROMETHEUS_MAX_BACKOFF_MS = ConfigKey.integer("prometheus.max_backoff_ms",
            5_000, 100, 600_000, "longest wait between tries while the receiver is down (from 100 ms, doubling)");

    public static final List<ConfigKey<?>> ALL = List.of(GRAPHITE, PRINT_POINTS, PRINT_SELF, GROUP_ID, MODE, MAX_BACKOFF_MS,
            BATCH_BYTES, FLUSH_MS, WRITE_TIMEOUT_MS, COMMIT_DELAY_MS, SELF_METRICS, INSTANCE,
            PROMETHEUS_URL, PROMETHEUS_BEARER_TOKEN_FILE, PROMETHEUS_BASIC_AUTH_USER,
            PROMETHEUS_BASIC_AUTH_PASSWORD_FILE, PROMETHEUS_CA_FILE, PROMETHEUS_TENANT, PROMETHEUS_TIMEOUT_MS,
            PROMETHEUS_BATCH_SAMPLES, PROMETHEUS_MAX_BACKOFF_MS);

    /** How points are spread over several endpoints. */
    public enum Mode {
        ALL, HASH
    }
}
