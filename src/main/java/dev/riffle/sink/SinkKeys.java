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
    public static final ConfigKey<String> GROUP_ID = ConfigKey.string("sink.group_id", "riffle-sink",
            "consumer group of the sink; instances with the same id share the points");
    public static final ConfigKey<Integer> MAX_BACKOFF_MS = ConfigKey.integer("sink.max_backoff_ms", 30_000, 100,
            600_000, "longest wait between reconnection attempts to carbon");

    public static final List<ConfigKey<?>> ALL = List.of(GRAPHITE, PRINT_POINTS, GROUP_ID, MAX_BACKOFF_MS);
}
