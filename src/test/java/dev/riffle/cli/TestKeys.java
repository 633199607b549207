package dev.riffle.cli;

import dev.riffle.config.ConfigKey;
import java.util.List;

/** Every config key the program understands, for tests outside the cli package. */
public final class TestKeys {
    private TestKeys() {
    }

    public static List<ConfigKey<?>> all() {
        return Settings.ALL_KEYS;
    }
}
