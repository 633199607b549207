package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An OutOfMemoryError in any thread stops the whole process with one clear line, even while others would live. */
class OutOfMemoryTest {

    /** A child JVM: a thread that keeps everything it allocates, while main waits for ever like a pipeline does. */
    public static final class Child {
        public static void main(String[] args) throws InterruptedException {
            Main.stopOnOutOfMemory();
            Thread hog = new Thread(() -> {
                List<byte[]> kept = new ArrayList<>();
                while (true) {
                    kept.add(new byte[1 << 20]);
                }
            }, "hog");
            hog.start();
            Thread.sleep(60_000); // not reached when the handler works: the process ends with the hog
            System.exit(0);
        }
    }

    @Test
    void anOutOfMemoryErrorInAnyThreadStopsTheProcessWithAClearMessage() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-cp", System.getProperty("java.class.path"), Child.class.getName())
                .redirectErrorStream(true).start();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "still running 30 s after an OutOfMemoryError");
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(Main.OUT_OF_MEMORY, child.exitValue(), output);
        assertTrue(output.contains("riffle: out of memory in thread hog"), output);
    }
}
