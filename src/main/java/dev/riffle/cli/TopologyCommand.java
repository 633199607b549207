package dev.riffle.cli;

import dev.riffle.topology.RiffleTopology;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code riffle topology}: what Kafka Streams will run, as its own description text. */
@Command(name = "topology", mixinStandardHelpOptions = true,
        description = "Print the Kafka Streams topology description built from the current configuration.")
final class TopologyCommand implements Callable<Integer> {
    @Mixin
    Settings settings = new Settings();

    @Override
    public Integer call() {
        System.out.print(RiffleTopology.build(settings.load()).describe());
        return 0;
    }
}
