package dev.riffle.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.StartupException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second broker on a data dir in use is refused with one clear message before Kafka starts (Kafka would find it
 * too, after pages of stack traces). No broker runs in these tests: the lock is held the way Kafka holds it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedKafkaTest {
    @TempDir
    Path dir;

    @Test
    void aDataDirLockedByAnotherProcessIsRefused() throws Exception {
        Path lockFile = Files.createDirectories(dir.resolve("kafka").resolve("log")).resolve(".lock");
        // a child JVM takes the lock with FileChannel.tryLock, as Kafka does, and holds it until killed
        Path holder = dir.resolve("HoldLock.java");
        Files.writeString(holder, String.join("\n",
                "import java.nio.channels.FileChannel;",
                "import java.nio.file.*;",
                "public class HoldLock {",
                "  public static void main(String[] a) throws Exception {",
                "    FileChannel c = FileChannel.open(Path.of(a[0]),",
                "        StandardOpenOption.CREATE, StandardOpenOption.WRITE);",
                "    if (c.tryLock() == null) System.exit(3);",
                "    System.out.println(\"locked\");",
                "    Thread.sleep(60_000);",
                "  }",
                "}", ""));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), holder.toString(), lockFile.toString())
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("locked", out.readLine());
            StartupException e = assertThrows(StartupException.class,
                    () -> new EmbeddedKafka(dir.resolve("kafka"), 0).start());
            assertTrue(e.getMessage().contains("is in use by another process"), e.getMessage());
        } finally {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDataDirLockedInThisJvmIsRefused() throws Exception {
        Path lockFile = Files.createDirectories(dir.resolve("kafka").resolve("log")).resolve(".lock");
        try (FileChannel c = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             var lock = c.lock()) {
            StartupException e = assertThrows(StartupException.class,
                    () -> new EmbeddedKafka(dir.resolve("kafka"), 0).start());
            assertTrue(e.getMessage().contains(dir.resolve("kafka").resolve("log").toString()), e.getMessage());
        }
    }
}
