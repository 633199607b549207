package dev.riffle.cli;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.core.PointTarget;
import dev.riffle.core.Stage;
import dev.riffle.graph.GraphKeys;
import dev.riffle.graph.QueuedTarget;
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
    /** points waiting for the store: about 100 bytes each with their path */
    private static final int FEED_QUEUE = 65_536;
    private QueuedTarget feed;

    /** @param serve false: no page (riffle sink without http_in_sink) */
    Graphs(Config config, boolean serve) {
        this.config = config;
        this.store = serve && config.get(HttpKeys.HTTP_PORT) > 0
                ? new RecentStore(config.get(GraphKeys.STORE_MB) * 1024L * 1024L,
                        config.get(GraphKeys.RETENTION_MINUTES) * 60L, config.get(CommonKeys.WINDOW_SECONDS))
                : null;
    }

    /**
     * The sink's targets besides carbon and stdout: the store, fed on a thread of its own through a bounded queue
     * (at 150k series it indexes 300k+ points a window, which must not hold up carbon's writes).
     */
    List<PointTarget> targets() {
        if (store == null) {
            return List.of();
        }
        if (feed == null) {
            feed = new QueuedTarget(store, FEED_QUEUE);
        }
        return List.of(feed);
    }

    /** Starts the http stage last (so /healthz answers once every stage started) and names it in the start-up line. */
    void start(Pipeline pipeline) throws Exception {
        if (store == null) {
            return;
        }
        if (feed != null) {
            QueuedTarget queued = feed;
            pipeline.start(bootstrap -> new Stage() { // closed first at shutdown: stops the store's feeding thread
                @Override
                public String name() {
                    return "graphs feed";
                }

                @Override
                public void start() {
                }

                @Override
                public String status() {
                    return "waiting " + queued.waiting() + ", dropped " + queued.dropped();
                }

                @Override
                public void close() {
                    queued.close();
                }
            });
        }
        GraphsServer[] server = new GraphsServer[1];
        pipeline.start(bootstrap -> server[0] = new GraphsServer(config, store, pipeline::status,
                config.get(TopologyKeys.OCCURRENCE_SUFFIX)));
        pipeline.announce("graphs on " + server[0].url());
    }
}
