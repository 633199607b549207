package dev.riffle.topology;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.KafkaClients;
import dev.riffle.core.Stage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The topology stage's entry point: runs {@link RiffleTopology} with Kafka Streams. */
public final class StreamsApp implements Stage {
    private static final Logger log = LoggerFactory.getLogger(StreamsApp.class);

    private final Config config;
    private final String bootstrap;
    private final Map<String, Object> overrides;
    private final TopologyCounters counters = new TopologyCounters();
    private KafkaStreams streams;
    private long pointsFrom = Long.MIN_VALUE;
    private long pointsUntil = Long.MAX_VALUE;
    private int partitions;
    private final SortedSet<Integer> subtopologies = new TreeSet<>();
    private final Restores restores = new Restores();

    /** @param overrides extra Kafka Streams properties (tests use them for a unique state dir) */
    public StreamsApp(Config config, String bootstrap, Map<String, Object> overrides) {
        this.config = config;
        this.bootstrap = bootstrap;
        this.overrides = overrides;
    }

    @Override
    public String name() {
        return "streams";
    }

    Properties properties() {
        Properties p = new Properties();
        p.putAll(KafkaClients.settings(config)); // TLS, SASL, ...: Streams hands them to its clients
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.get(TopologyKeys.APPLICATION_ID));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.STATE_DIR_CONFIG, Path.of(config.get(CommonKeys.DATA_DIR), "streams").toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.get(TopologyKeys.THREADS));
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.get(TopologyKeys.STANDBY_REPLICAS));
        // every instance gets its share of each sub-topology, not just of the task count
        p.put(StreamsConfig.TASK_ASSIGNOR_CLASS_CONFIG, StageBalancedAssignor.class.getName());
        p.put(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, config.get(TopologyKeys.ACCEPTABLE_RECOVERY_LAG));
        p.put(StreamsConfig.MAX_WARMUP_REPLICAS_CONFIG, config.get(TopologyKeys.MAX_WARMUP_REPLICAS));
        p.put(StreamsConfig.PROBING_REBALANCE_INTERVAL_MS_CONFIG,
                config.get(TopologyKeys.PROBING_REBALANCE_INTERVAL_MS));
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.get(TopologyKeys.COMMIT_INTERVAL_MS));
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class.getName());
        p.put(BoundedRocksDb.MEMORY_BYTES_CONFIG, String.valueOf(config.get(TopologyKeys.ROCKSDB_MEMORY_MB) * 1024L * 1024));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // a killed instance's partitions move after 10 s rather than the default 45 s
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        // opting in to Kafka 5.0's default now silences a warning logged for every stream thread
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        p.putAll(overrides);
        return p;
    }

    @Override
    public void start() {
        partitions = eventsPartitions();
        Topology topology = RiffleTopology.build(config, counters, partitions, pointsFrom, pointsUntil);
        topology.describe().subtopologies().forEach(s -> subtopologies.add(s.id()));
        streams = new KafkaStreams(topology, properties());
        streams.setGlobalStateRestoreListener(restores);
        streams.setStandbyUpdateListener(restores);
        streams.setUncaughtExceptionHandler(e -> {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof IncompatibleStateException incompatible) {
                    // a new thread would fail the same way, forever: stop, and say what to do
                    log.error("the topology stops: {}", incompatible.getMessage());
                    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
                }
            }
            log.error("stream thread failed; replacing it", e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
    }

    /** The events topic's partition count, so the fleet stage knows how many per-host tasks to wait for. */
    private int eventsPartitions() {
        String topic = config.get(CommonKeys.EVENTS_TOPIC);
        Map<String, Object> admin = new java.util.HashMap<>();
        properties().forEach((k, v) -> admin.put((String) k, v));
        admin.keySet().retainAll(org.apache.kafka.clients.admin.AdminClientConfig.configNames());
        try (Admin client = Admin.create(admin)) {
            return client.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().size();
        } catch (Exception e) {
            log.warn("cannot read the partition count of {} ({}); the fleet stage learns it from the bridges' ticks",
                    topic, e.toString());
            return 0;
        }
    }

    /** A replay writes the points of windows starting in this range only (ms); call before start. */
    public StreamsApp pointRange(long fromMs, long untilMs) {
        this.pointsFrom = fromMs;
        this.pointsUntil = untilMs;
        return this;
    }

    /** Windows before this (ms) are closed by every task, per host and all-hosts; MIN until all have closed one. */
    public long closedThrough() {
        return partitions == 0 ? Long.MIN_VALUE : counters.closedThrough(partitions);
    }

    /** Removes this application's local state (after close): a replay leaves nothing behind. */
    public void cleanUp() {
        if (streams != null) {
            streams.cleanUp();
        }
    }

    public KafkaStreams.State state() {
        return streams == null ? KafkaStreams.State.NOT_RUNNING : streams.state();
    }

    public TopologyCounters counters() {
        return counters;
    }

    @Override
    public String status() {
        return state() + ", events " + counters.eventsProcessed() + ", points out " + counters.pointsEmitted()
                + ", late " + counters.lateEvents() + ", unknown kind " + counters.unknownKind()
                + ", no metric " + counters.missingMetric() + ", clock ahead " + counters.clockAhead()
                + ", malformed " + counters.malformedRecords() + ", fleet corrections " + counters.fleetCorrections()
                + ", fleet late " + counters.fleetLate() + localTasks();
    }

    /**
     * The tasks this instance holds per sub-topology (0 reads events, 1 the fleet partials), e.g.
     * {@code , tasks active 0=3 1=3 standby 0=0 1=0}; empty while Kafka Streams is not running or rebalancing.
     */
    String localTasks() {
        Map<Integer, Integer> active = tasksBySubtopology(true);
        Map<Integer, Integer> standby = tasksBySubtopology(false);
        return active == null || standby == null ? ""
                : ", tasks active " + counts(active) + " standby " + counts(standby);
    }

    /** Active (or standby) tasks held per sub-topology, every sub-topology listed; null when not running. */
    Map<Integer, Integer> tasksBySubtopology(boolean active) {
        if (streams == null) {
            return null;
        }
        Map<Integer, Integer> held = new TreeMap<>();
        subtopologies.forEach(s -> held.put(s, 0));
        try {
            for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
                (active ? thread.activeTasks() : thread.standbyTasks())
                        .forEach(t -> held.merge(t.taskId().subtopology(), 1, Integer::sum));
            }
        } catch (RuntimeException e) { // not started, or closed meanwhile
            return null;
        }
        return held;
    }

    /** Restores and warm copies of this instance's state so far. */
    Restores restores() {
        return restores;
    }

    private static String counts(Map<Integer, Integer> bySubtopology) {
        StringBuilder b = new StringBuilder();
        bySubtopology.forEach((s, n) -> b.append(b.length() == 0 ? "" : " ").append(s).append('=').append(n));
        return b.toString();
    }

    @Override
    public void close() {
        if (streams != null) {
            // leave the group: the next start (or another instance) takes the partitions at once instead of
            // waiting for this member's session to time out
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)));
        }
    }
}
