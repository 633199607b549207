package dev.riffle.cli;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.core.Stage;
import dev.riffle.core.StartupException;
import dev.riffle.kafka.EmbeddedKafka;
import dev.riffle.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires stages together in one JVM: an in-process broker when no external Kafka is configured, the topics,
 * the stages in data order, a status line, and an orderly shutdown in reverse order.
 */
final class Pipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Pipeline.class);
    private static final Logger statusLog = LoggerFactory.getLogger("riffle.status");

    private final Config config;
    /** read by the http stage's threads for /healthz and /api/status */
    private final List<Stage> stages = new CopyOnWriteArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private EmbeddedKafka broker;
    private ScheduledExecutorService status;
    private String bootstrap;
    private volatile boolean closing;
    private String startupNote = "";

    Pipeline(Config config) {
        this.config = config;
    }

    /** Connects to the configured Kafka, or starts the in-process broker when {@code allowEmbedded}. */
    String connect(boolean allowEmbedded) {
        dev.riffle.config.KafkaClients.settings(config); // a bad pass-through setting stops us before anything starts
        bootstrap = config.get(CommonKeys.KAFKA_BOOTSTRAP);
        if (bootstrap.isBlank()) {
            if (!allowEmbedded) {
                throw new dev.riffle.config.ConfigException(CommonKeys.KAFKA_BOOTSTRAP.name() + " ("
                        + CommonKeys.KAFKA_BOOTSTRAP.envName() + ") is required for this command: "
                        + "expected host:port of a Kafka broker");
            }
            long t0 = System.nanoTime();
            try {
                broker = new EmbeddedKafka(Path.of(config.get(CommonKeys.DATA_DIR), "kafka"),
                        config.get(CommonKeys.KAFKA_PORT)).start();
            } catch (StartupException e) {
                throw new StartupException(e.getMessage() + "; see " + CommonKeys.DATA_DIR.envName() + ", "
                        + CommonKeys.KAFKA_PORT.envName() + " (0 = any free port), or "
                        + CommonKeys.KAFKA_BOOTSTRAP.envName() + " to use a running Kafka instead");
            }
            bootstrap = broker.bootstrapServers();
            log.info("in-process Kafka ready on {} in {} ms", bootstrap, (System.nanoTime() - t0) / 1_000_000);
        }
        Topics.ensure(bootstrap, config, Duration.ofSeconds(60));
        return bootstrap;
    }

    /** Starts a stage built for the connected Kafka; stages are closed in reverse order. */
    Pipeline start(Function<String, Stage> stageFor) throws Exception {
        Stage stage = stageFor.apply(bootstrap);
        try {
            stage.start();
        } catch (Exception e) {
            closeQuietly(stage); // what it opened before failing; the stages started before are closed by close()
            throw e;
        }
        stages.add(stage);
        return this;
    }

    /** Starts each of the stages built for the connected Kafka (none for an empty list). */
    Pipeline startAll(Function<String, List<Stage>> stagesFor) throws Exception {
        for (Stage s : stagesFor.apply(bootstrap)) {
            start(b -> s);
        }
        return this;
    }

    /**
     * The {@code /healthz}-only endpoint when {@code health_port} is set: started after every stage, so that it
     * answers once they all started (a container's probe fails until then).
     */
    void startHealth() throws Exception {
        if (dev.riffle.http.HealthServer.configured(config)) {
            dev.riffle.http.HealthServer[] health = new dev.riffle.http.HealthServer[1];
            start(bootstrap -> health[0] = new dev.riffle.http.HealthServer(config, this::status));
            announce("health on port " + health[0].port() + " /healthz");
        }
    }

    /** Blocks until Ctrl-C / SIGTERM, printing a status line at the configured interval. */
    void runUntilStopped() throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping");
            close();
            stopped.countDown();
        }, "riffle-shutdown"));
        int every = config.get(CommonKeys.STATUS_INTERVAL_SECONDS);
        if (every > 0) {
            status = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "riffle-status");
                t.setDaemon(true);
                return t;
            });
            status.scheduleAtFixedRate(this::printStatus, every, every, TimeUnit.SECONDS);
        }
        log.info("riffle is running{}; Ctrl-C stops it", startupNote);
        stopped.await();
    }

    /** Said in the start-up line, e.g. where the graphs page is. */
    void announce(String note) {
        startupNote = startupNote + "; " + note;
    }

    /** The stages with whether each runs and its status line: for /healthz and /api/status. */
    dev.riffle.http.PipelineStatus status() {
        List<dev.riffle.http.PipelineStatus.StageStatus> out = new java.util.ArrayList<>();
        for (Stage s : stages) {
            String line;
            try {
                line = s.status();
            } catch (RuntimeException e) {
                line = "status failed: " + e;
            }
            out.add(new dev.riffle.http.PipelineStatus.StageStatus(s.name(), !closing && running(s), line));
        }
        return new dev.riffle.http.PipelineStatus(List.copyOf(out));
    }

    /** Whether a stage is doing its work: the sink's thread alive, the topology running (or rebalancing). */
    static boolean running(Stage s) {
        if (s instanceof dev.riffle.sink.GraphiteSink sink) {
            return sink.running();
        }
        if (s instanceof dev.riffle.sink.PrometheusSink prometheus) {
            return prometheus.running();
        }
        if (s instanceof dev.riffle.topology.StreamsApp streams) {
            var state = streams.state();
            return state == org.apache.kafka.streams.KafkaStreams.State.RUNNING
                    || state == org.apache.kafka.streams.KafkaStreams.State.REBALANCING;
        }
        return true; // the bridge and the http stage run from start() to close()
    }

    void printStatus() {
        if (stages.isEmpty()) {
            return; // riffle broker: nothing to say every few seconds
        }
        StringBuilder line = new StringBuilder();
        for (Stage s : stages) {
            if (line.length() > 0) {
                line.append(" | ");
            }
            line.append(s.name()).append(": ").append(s.status());
        }
        statusLog.info("{}", line);
    }

    private static void closeQuietly(Stage s) {
        try {
            s.close();
        } catch (RuntimeException e) {
            log.warn("closing {} failed", s.name(), e);
        }
    }

    @Override
    public synchronized void close() {
        closing = true;
        if (status != null) {
            status.shutdownNow();
        }
        for (int i = stages.size() - 1; i >= 0; i--) {
            closeQuietly(stages.get(i));
        }
        stages.clear();
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
