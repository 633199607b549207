package dev.riffle.sink;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigException;
import dev.riffle.config.ConfigKey;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkKeysTest {

    @Test
    void anUnknownModeNamesTheKeyAndTheChoices() {
        List<ConfigKey<?>> keys = new ArrayList<>(CommonKeys.ALL);
        keys.addAll(SinkKeys.ALL);
        Config config = Config.load(null, Map.of("RIFFLE_SINK_MODE", "random"), keys);
        ConfigException e = assertThrows(ConfigException.class,
                () -> new GraphiteSink(config, "127.0.0.1:1", new PrintStream(PrintStream.nullOutputStream())));
        assertTrue(e.getMessage().contains("sink.mode (RIFFLE_SINK_MODE)") && e.getMessage().contains("all or hash"),
                e.getMessage());
    }
}
