package dev.riffle.graph;

import dev.riffle.config.ConfigKey;
import java.util.List;

/** Settings of the recent-points store behind the graphs page and the Graphite API. */
public final class GraphKeys {
    private GraphKeys() {
    }

    public static final ConfigKey<Integer> STORE_MB = ConfigKey.integer("graphs.store_mb", 128, 1, 1_000_000,
            "heap the recent points may take (MiB, estimated); silent series make room first, then new ones are refused");
    public static final ConfigKey<Integer> RETENTION_MINUTES = ConfigKey.integer("graphs.retention_minutes", 60, 1,
            10_080, "how far behind the newest point the graphs page and the render API keep points");

    public static final List<ConfigKey<?>> ALL = List.of(STORE_MB, RETENTION_MINUTES);
}
