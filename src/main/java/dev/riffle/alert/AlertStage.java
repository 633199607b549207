package dev.riffle.alert;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.KafkaClients;
import dev.riffle.core.Stage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert stage's entry point ({@code riffle alerts}, and inside {@code riffle run} when rules are configured):
 * the rule evaluator ({@link AlertTopology} on Kafka Streams, exactly once) and the {@link Notifier}. It reads the
 * points and events topics like any other consumer and creates the topics it owns (alerts, silences,
 * deliveries: compacted, one partition each) when they are missing.
 */
public final class AlertStage implements Stage {
    private static final Logger log = LoggerFactory.getLogger(AlertStage.class);

    private final Config config;
    private final String bootstrap;
    private final Map<String, Object> overrides;
    private final PrintStream stdout;
    private final AlertCounters counters;
    private KafkaStreams streams;
    private Notifier notifier;

    /** @param overrides extra Kafka Streams properties (tests: a private state dir) */
    public AlertStage(Config config, String bootstrap, Map<String, Object> overrides, PrintStream stdout) {
        this.config = config;
        this.bootstrap = bootstrap;
        this.overrides = overrides;
        this.stdout = stdout;
        // the bound: every point evaluated within two windows of its time
        this.counters = new AlertCounters(2_000L * config.get(CommonKeys.WINDOW_SECONDS), System::currentTimeMillis);
    }

    /** Whether the config has any rule: {@code riffle run} starts the stage only then. */
    public static boolean configured(Config config) {
        return !config.get(AlertKeys.RULES).isEmpty();
    }

    @Override
    public String name() {
        return "alerts";
    }

    Properties properties() {
        Properties p = new Properties();
        p.putAll(KafkaClients.settings(config));
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.get(AlertKeys.APPLICATION_ID));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.STATE_DIR_CONFIG, Path.of(config.get(CommonKeys.DATA_DIR), "streams").toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.get(AlertKeys.THREADS));
        // one transaction a second rather than EOS' default ten: a second more before a transition is visible,
        // far fewer commits on a busy points topic
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        p.putAll(overrides);
        return p;
    }

    @Override
    public void start() {
        ensureTopics(config, bootstrap);
        if (configured(config)) {
            streams = new KafkaStreams(AlertTopology.build(config, counters), properties());
            streams.setUncaughtExceptionHandler(e -> {
                log.error("alert evaluator thread failed; replacing it", e);
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            streams.start();
        }
        notifier = new Notifier(config, bootstrap, stdout);
        notifier.start();
    }

    /** Creates the alerts, silences and deliveries topics when missing (compacted, one partition each). */
    public static void ensureTopics(Config config, String bootstrap) {
        Properties props = new Properties();
        props.putAll(KafkaClients.forClient(config, AdminClientConfig.configNames()));
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        int replication = config.get(CommonKeys.REPLICATION);
        Optional<Short> rf = replication < 0 ? Optional.empty() : Optional.of((short) replication);
        Map<String, String> compact = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        List<NewTopic> wanted = List.of(
                new NewTopic(config.get(AlertKeys.TOPIC), Optional.of(1), rf).configs(compact),
                new NewTopic(config.get(AlertKeys.SILENCES_TOPIC), Optional.of(1), rf).configs(compact),
                new NewTopic(config.get(AlertKeys.DELIVERIES_TOPIC), Optional.of(1), rf).configs(compact));
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (NewTopic t : wanted) {
                if (!existing.contains(t.name())) {
                    missing.add(t);
                }
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e; // another instance creating them at the same moment is fine
                    }
                }
                log.info("created topics {}", missing.stream().map(NewTopic::name).toList());
            }
            awaitLeaders(admin, wanted.stream().map(NewTopic::name).toList());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot create the alert topics on " + bootstrap + ": " + e, e);
        }
    }

    /** A new topic is usable once each partition has a leader (right after creation it may not even be known). */
    private static void awaitLeaders(Admin admin, List<String> topics) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (admin.describeTopics(topics).allTopicNames().get(60, TimeUnit.SECONDS).values().stream()
                        .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null
                                && !p.leader().isEmpty()))) {
                    return;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new java.util.concurrent.TimeoutException("no leader for " + topics + " after 60 s");
            }
            Thread.sleep(50);
        }
    }

    public KafkaStreams.State state() {
        return streams == null ? KafkaStreams.State.NOT_RUNNING : streams.state();
    }

    /** Points evaluated, transitions, notices: for tests. */
    public long pointsEvaluated() {
        return counters.points();
    }

    public long eventRecordsEvaluated() {
        return counters.eventRecords();
    }

    public long noticesSent() {
        return notifier == null ? 0 : notifier.delivered();
    }

    public long failedTries() {
        return notifier == null ? 0 : notifier.failures();
    }

    @Override
    public String status() {
        return (streams == null ? "" : state() + ", " + counters.status() + " | ")
                + "notifier: " + (notifier == null ? "not started" : notifier.status());
    }

    @Override
    public void close() {
        if (notifier != null) {
            notifier.close();
        }
        if (streams != null) {
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)));
        }
    }
}
