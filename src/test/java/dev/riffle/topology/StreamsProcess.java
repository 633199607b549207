package dev.riffle.topology;

import dev.riffle.config.Config;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@link StreamsApp} alone in its own JVM, configured by RIFFLE_* variables, so that a test can kill it
 * (SIGKILL: no close, no commit) and check that another instance takes over without loss or double count.
 * Args: bootstrap servers, state dir.
 */
public final class StreamsProcess {
    private StreamsProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        Config config = Config.load(null, System.getenv(), Harness.KEYS);
        StreamsApp app = new StreamsApp(config, args[0], Map.of(StreamsConfig.STATE_DIR_CONFIG, args[1],
                StreamsConfig.consumerPrefix("session.timeout.ms"), 6000,
                StreamsConfig.consumerPrefix("max.poll.records"), 20));
        app.start();
        System.out.println("started");
        Thread.sleep(600_000); // until killed; bounded in case the test forgets
        app.close();
    }
}
