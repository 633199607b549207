package dev.riffle.cli;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.core.PointTarget;
import dev.riffle.graph.GraphKeys;
import dev.riffle.graph.RecentStore;
import dev.riffle.http.GraphsServer;
import dev.riffle.http.HttpKeys;
import dev.riffle.topology.TopologyKeys;
import java.util.List;

/**
 * Wires the graphs page: one recent-points store fed by the sink (a {@link PointTarget}) and read by the http
 * stage. Off (no store, no server) when {@code http_port} is 0.
 */
final class Graphs {
    private final Config config;
    private final RecentStore store;

    /** @param serve false: no page (riffle sink without http_in_sink) */
    Graphs(Config config, boolean serve) {
        this.config = config;
        this.store = serve && config.get(HttpKeys.HTTP_PORT) > 0
                ? new RecentStore(config.get(GraphKeys.STORE_MB) * 1024L * 1024L,
                        config.get(GraphKeys.RETENTION_MINUTES) * 60L, config.get(CommonKeys.WINDOW_SECONDS))
                : null;
    }

    /** The sink's targets besides carbon and stdout. */
    List<PointTarget> targets() {
        return store == null ? List.of() : List.of(store);
    }

    /** Starts the http stage last (so /healthz answers once every stage started) and names it in the start-up line. */
    void start(Pipeline pipeline) throws Exception {
        if (store == null) {
            return;
        }
        GraphsServer[] server = new GraphsServer[1];
        pipeline.start(bootstrap -> server[0] = new GraphsServer(config, store, pipeline::status,
                config.get(TopologyKeys.OCCURRENCE_SUFFIX)));
        pipeline.announce("graphs on " + server[0].url());
    }
}
