package dev.riffle.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigException;
import dev.riffle.config.ConfigKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkKeysTest {

    @Test
    void anUnknownModeNamesTheKeyAndTheChoices() {
        List<ConfigKey<?>> keys = new ArrayList<>(CommonKeys.ALL);
        keys.addAll(SinkKeys.ALL);
        // refused when the configuration loads, before any broker or sink starts
        ConfigException e = assertThrows(ConfigException.class,
                () -> Config.load(null, Map.of("RIFFLE_SINK_MODE", "random"), keys));
        assertTrue(e.getMessage().contains("sink.mode (RIFFLE_SINK_MODE)") && e.getMessage().contains("all or hash"),
                e.getMessage());
    }

    @Test
    void modeIsReadInAnyCase() {
        List<ConfigKey<?>> keys = new ArrayList<>(CommonKeys.ALL);
        keys.addAll(SinkKeys.ALL);
        assertEquals(SinkKeys.Mode.HASH, Config.load(null, Map.of("RIFFLE_SINK_MODE", "Hash"), keys)
                .get(SinkKeys.MODE));
        assertEquals(SinkKeys.Mode.ALL, Config.load(null, Map.of(), keys).get(SinkKeys.MODE));
    }
}
