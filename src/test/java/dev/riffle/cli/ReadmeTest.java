package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.ConfigKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's configuration table is the user's reference: it must name every key the program accepts. */
class ReadmeTest {
    @Test
    void everyConfigKeyIsDocumentedWithItsEnvironmentVariable() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> missing = new ArrayList<>();
        for (ConfigKey<?> key : Settings.ALL_KEYS) {
            if (!readme.contains("| `" + key.name() + "` | `" + key.envName() + "` |")) {
                missing.add(key.name());
            }
        }
        assertTrue(missing.isEmpty(), "README configuration table lacks rows for " + missing);
    }

    @Test
    void ciRunsExactlyTheReadmeTestCommand() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String ci = Files.readString(Path.of(".ci/run"));
        String command = "scripts/test";
        assertTrue(readme.contains("    " + command + "\n"), "README names the test command");
        assertTrue(ci.lines().anyMatch(l -> l.equals(command)), ".ci/run runs it");
        String script = Files.readString(Path.of(command));
        assertTrue(script.lines().anyMatch(l -> l.equals("exec mvn -B -ntp verify \"$@\"")), "and it runs the suite");
    }
}
