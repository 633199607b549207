package dev.riffle.cli;

import dev.riffle.alert.AlertStage;
import dev.riffle.config.Config;
import dev.riffle.ingest.Bridge;
import dev.riffle.sink.GraphiteSink;
import dev.riffle.sink.PrometheusSink;
import dev.riffle.topology.StreamsApp;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code riffle run}: broker (unless an external one is configured), bridge, topology and sink in one JVM. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run everything in one JVM: an in-process Kafka broker (unless RIFFLE_KAFKA_BOOTSTRAP is set), "
                + "the bridge, the topology, the Graphite sink, the graphs page (http_port), and the alert stage when "
                + "alerts.rules has rules. Ctrl-C stops it cleanly.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    Settings settings = new Settings();

    @Override
    public Integer call() throws Exception {
        Config config = settings.load();
        Bridge.checkPortsFree(config); // before the broker starts: the bridge is the last stage to start
        dev.riffle.http.GraphsServer.checkPortFree(config); // and the graphs page after it
        dev.riffle.sink.PrometheusTarget.configured(config); // a bad remote write URL or CA file stops us here
        dev.riffle.http.HealthServer.checkPortFree(config);
        try (Pipeline pipeline = new Pipeline(config)) {
            pipeline.connect(true);
            Graphs graphs = new Graphs(config, true);
            pipeline.start(bootstrap -> new GraphiteSink(config, bootstrap, System.out, graphs.targets()));
            pipeline.startAll(bootstrap -> PrometheusSink.configured(config, bootstrap));
            if (AlertStage.configured(config)) { // readers of the points before their writer, as the sink
                pipeline.start(bootstrap -> new AlertStage(config, bootstrap, Map.of(), System.out));
            }
            pipeline.start(bootstrap -> new StreamsApp(config, bootstrap, Map.of()))
                    .start(bootstrap -> new Bridge(config, bootstrap));
            graphs.start(pipeline);
            pipeline.startHealth();
            pipeline.runUntilStopped();
        }
        return 0;
    }
}
