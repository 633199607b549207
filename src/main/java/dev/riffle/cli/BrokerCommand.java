package dev.riffle.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code riffle broker}: the in-process KRaft broker of {@code riffle run} as a local server of its own (same data
 * dir layout and port settings), with Riffle's topics, so that a laptop can run the bridge, several
 * {@code riffle streams} and the sink as separate processes against it. For local use, not a production cluster:
 * one node, no replication, no security.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run the in-process Kafka broker alone (data under data_dir/kafka, port kafka.port, Riffle's "
                + "topics created), for bridge, streams and sink as separate processes on one machine. Local use "
                + "only: one node, no replication, no security.")
final class BrokerCommand implements Callable<Integer> {
    @Mixin
    Settings settings = new Settings();

    @Override
    public Integer call() throws Exception {
        dev.riffle.config.Config config = settings.load();
        if (!config.get(dev.riffle.config.CommonKeys.KAFKA_BOOTSTRAP).isBlank()) {
            throw new dev.riffle.config.ConfigException("riffle broker starts the in-process broker: unset "
                    + dev.riffle.config.CommonKeys.KAFKA_BOOTSTRAP.envName() + " (it points at a running Kafka)");
        }
        try (Pipeline pipeline = new Pipeline(config)) {
            String bootstrap = pipeline.connect(true);
            System.out.println("riffle broker ready on " + bootstrap);
            System.out.flush();
            pipeline.runUntilStopped();
        }
        return 0;
    }
}
