package dev.riffle.cli;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigKey;
import dev.riffle.ingest.IngestKeys;
import dev.riffle.sink.SinkKeys;
import dev.riffle.topology.TopologyKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options every command shares: where the config file is. Loading checks every key. */
final class Settings {
    static final List<ConfigKey<?>> ALL_KEYS = allKeys();

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML config file (default: $RIFFLE_CONFIG, else none). Environment variables RIFFLE_* "
                    + "override it.")
    Path configFile;

    @Option(names = "--print-points", description = "also print every point to stdout as a Graphite line "
            + "(same as RIFFLE_PRINT_POINTS=true)")
    boolean printPoints;

    @Option(names = "--print-self", description = "with --print-points, also print Riffle's own figures "
            + "(riffle.*; same as RIFFLE_PRINT_SELF=true)")
    boolean printSelf;

    Config load() {
        return load(System.getenv());
    }

    Config load(Map<String, String> env) {
        Path file = configFile;
        if (file == null && env.get("RIFFLE_CONFIG") != null && !env.get("RIFFLE_CONFIG").isBlank()) {
            file = Path.of(env.get("RIFFLE_CONFIG"));
        }
        Config config = Config.load(file, env, ALL_KEYS);
        if (printPoints) {
            config = config.with(SinkKeys.PRINT_POINTS, "true");
        }
        return printSelf ? config.with(SinkKeys.PRINT_SELF, "true") : config;
    }

    private static List<ConfigKey<?>> allKeys() {
        List<ConfigKey<?>> keys = new ArrayList<>();
        keys.addAll(CommonKeys.ALL);
        keys.addAll(IngestKeys.ALL);
        keys.addAll(TopologyKeys.ALL);
        keys.addAll(SinkKeys.ALL);
        keys.addAll(dev.riffle.graph.GraphKeys.ALL);
        keys.addAll(dev.riffle.http.HttpKeys.ALL);
        keys.addAll(dev.riffle.alert.AlertKeys.ALL);
        return List.copyOf(keys);
    }
}
