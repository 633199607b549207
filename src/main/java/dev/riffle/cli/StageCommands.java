package dev.riffle.cli;

import dev.riffle.config.Config;
import dev.riffle.core.Stage;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code riffle bridge|streams|sink}: one stage alone, against the Kafka named by RIFFLE_KAFKA_BOOTSTRAP. */
final class StageCommands {
    private StageCommands() {
    }

    private abstract static class OneStage implements Callable<Integer> {
        @Mixin
        Settings settings = new Settings();

        abstract Stage stage(Config config, String bootstrap);

        /** Stages started after the main one (the sink's graphs page). */
        void startMore(Config config, Pipeline pipeline) throws Exception {
        }

        /** What can be checked before connecting to Kafka. */
        void preflight(Config config) {
        }

        @Override
        public Integer call() throws Exception {
            Config config = settings.load();
            preflight(config);
            dev.riffle.http.HealthServer.checkPortFree(config);
            try (Pipeline pipeline = new Pipeline(config)) {
                pipeline.connect(false);
                pipeline.start(bootstrap -> stage(config, bootstrap));
                startMore(config, pipeline);
                pipeline.startHealth();
                pipeline.runUntilStopped();
            }
            return 0;
        }
    }

    @Command(name = "bridge", mixinStandardHelpOptions = true,
            description = "Run the ingest bridge alone: Riemann protobuf (UDP/TCP), statsd (UDP) and JSON lines (TCP) "
                    + "in, events topic out.")
    static final class Bridge extends OneStage {
        @Override
        void preflight(Config config) {
            dev.riffle.ingest.Bridge.checkPortsFree(config);
        }

        @Override
        Stage stage(Config config, String bootstrap) {
            return new dev.riffle.ingest.Bridge(config, bootstrap);
        }
    }

    @Command(name = "streams", mixinStandardHelpOptions = true,
            description = "Run the topology alone: events topic in, points topic out. Start several with the same "
                    + "application id to share the work.")
    static final class Streams extends OneStage {
        @Override
        Stage stage(Config config, String bootstrap) {
            return new dev.riffle.topology.StreamsApp(config, bootstrap, Map.of());
        }
    }

    @Command(name = "sink", mixinStandardHelpOptions = true,
            description = "Run the Graphite sink alone: points topic in, carbon plaintext out; with "
                    + "RIFFLE_HTTP_IN_SINK=true also the graphs page and the Graphite API on http_port.")
    static final class Sink extends OneStage {
        private Graphs graphs;

        @Override
        void preflight(Config config) {
            dev.riffle.sink.PrometheusTarget.configured(config); // a bad remote write URL or CA file stops us here
            if (config.get(dev.riffle.http.HttpKeys.HTTP_IN_SINK)) {
                dev.riffle.http.GraphsServer.checkPortFree(config);
            }
        }

        @Override
        Stage stage(Config config, String bootstrap) {
            graphs = new Graphs(config, config.get(dev.riffle.http.HttpKeys.HTTP_IN_SINK));
            return new dev.riffle.sink.GraphiteSink(config, bootstrap, System.out, graphs.targets());
        }

        @Override
        void startMore(Config config, Pipeline pipeline) throws Exception {
            pipeline.startAll(bootstrap -> dev.riffle.sink.PrometheusSink.configured(config, bootstrap));
            graphs.start(pipeline);
        }
    }

    @Command(name = "alerts", mixinStandardHelpOptions = true,
            description = "Run the alert stage alone: rules over the points and events topics (exactly once), "
                    + "transitions to the alerts topic, notifications by email, webhook or stdout.")
    static final class Alerts extends OneStage {
        @Override
        void preflight(Config config) {
            if (!dev.riffle.alert.AlertStage.configured(config)) {
                throw new dev.riffle.config.ConfigException(dev.riffle.alert.AlertKeys.RULES.name()
                        + ": no rules; riffle alerts needs at least one (see the README's Alerts section)");
            }
        }

        @Override
        Stage stage(Config config, String bootstrap) {
            return new dev.riffle.alert.AlertStage(config, bootstrap, Map.of(), System.out);
        }
    }
}
