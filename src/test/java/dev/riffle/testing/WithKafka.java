package dev.riffle.testing;

import dev.riffle.kafka.EmbeddedKafka;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** One real in-process broker per test class (a start costs seconds); each test takes its own topic and group. */
public abstract class WithKafka {
    @TempDir
    protected static Path dir;
    protected static EmbeddedKafka kafka;

    @BeforeAll
    protected static void startKafka() {
        kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
    }

    @AfterAll
    protected static void stopKafka() {
        kafka.close();
    }
}
