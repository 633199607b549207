package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code riffle replay} never notifies: it starts no alert stage (no class of the replay command refers to the
 * alert package), and its topology writes to a private points topic that the live alert stage does not read.
 * Backfills through the live pipeline are kept silent by the notifier's {@code alerts.notify_max_age}
 * (DispatcherTest.oldTransitionsAreNeverNotifiedAndUnknownRulesAreDropped).
 */
class ReplayNeverNotifiesTest {
    private static List<Path> classesOf(String simpleName) throws Exception {
        Path dir = Path.of("target", "classes", "dev", "riffle", "cli");
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().equals(simpleName + ".class")
                    || p.getFileName().toString().startsWith(simpleName + "$")).toList();
        }
    }

    private static boolean refersToAlerts(Path classFile) throws Exception {
        // class names in the constant pool are plain UTF-8: dev/riffle/alert/AlertStage and the like
        return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains("dev/riffle/alert/");
    }

    @Test
    void theReplayCommandStartsNoAlertStage() throws Exception {
        List<Path> replay = classesOf("ReplayCommand");
        assertFalse(replay.isEmpty());
        for (Path p : replay) {
            assertFalse(refersToAlerts(p), p + " refers to the alert package: a replay must never notify");
        }
        // the check can see a reference where there is one
        assertTrue(classesOf("RunCommand").stream().anyMatch(p -> {
            try {
                return refersToAlerts(p);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }), "riffle run does start the alert stage");
    }
}
