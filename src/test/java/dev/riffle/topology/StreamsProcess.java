package dev.riffle.topology;

import dev.riffle.config.Config;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@link StreamsApp} alone in its own JVM, configured by RIFFLE_* variables, so that a test can kill it
 * (SIGKILL: no close, no commit) and check that another instance takes over without loss or double count.
 * Args: bootstrap servers, state dir.
 */
public final class StreamsProcess {
    private StreamsProcess() {
    }

    /**
     * Test settings: a dead instance's tasks move after 6 s (not 45), and small polls keep the work spread
     * over many commits so that a stop lands mid-stream.
     */
    static Map<String, Object> overrides(String stateDir) {
        return Map.of(StreamsConfig.STATE_DIR_CONFIG, stateDir,
                StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000,
                StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 20);
    }

    public static void main(String[] args) throws InterruptedException {
        Config config = Config.load(null, System.getenv(), Harness.KEYS);
        StreamsApp app = new StreamsApp(config, args[0], overrides(args[1]));
        app.start();
        System.out.println("started");
        Thread.sleep(600_000); // until killed; bounded in case the test forgets
        app.close();
    }
}
