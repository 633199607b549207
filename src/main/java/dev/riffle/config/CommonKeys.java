package dev.riffle.config;

import java.util.List;
import java.util.Map;

/** Settings shared by every stage: where data lives, which Kafka, which topics. */
public final class CommonKeys {
    private CommonKeys() {
    }

    public static final ConfigKey<String> DATA_DIR = ConfigKey.string("data_dir", "./data",
            "where riffle run keeps the in-process broker's log and the stream state");
    public static final ConfigKey<String> BIND = ConfigKey.string("bind", "127.0.0.1",
            "address the bridge listens on");
    public static final ConfigKey<String> KAFKA_BOOTSTRAP = ConfigKey.optionalString("kafka.bootstrap",
            "external Kafka bootstrap servers; empty = riffle run starts an in-process broker");
    public static final ConfigKey<Integer> KAFKA_PORT = ConfigKey.port("kafka.port", 9092,
            "port of the in-process broker on 127.0.0.1 (0 = any free port)");
    public static final ConfigKey<String> EVENTS_TOPIC = ConfigKey.string("topics.events", "riffle-events",
            "topic the bridge writes events to");
    public static final ConfigKey<Integer> EVENTS_PARTITIONS = ConfigKey.integer("topics.events_partitions", 6,
            1, 10_000, "partitions of the events topic when Riffle creates it");
    public static final ConfigKey<String> POINTS_TOPIC = ConfigKey.string("topics.points", "riffle-points",
            "topic the topology writes Graphite points to");
    public static final ConfigKey<Integer> POINTS_PARTITIONS = ConfigKey.integer("topics.points_partitions", 6,
            1, 10_000, "partitions of the points topic when Riffle creates it");
    public static final ConfigKey<Integer> REPLICATION = ConfigKey.integer("topics.replication", -1, -1, 32,
            "replication factor of topics Riffle creates (-1 = the broker's default)");
    public static final ConfigKey<Integer> EVENTS_RETENTION_HOURS = ConfigKey.integer(
            "topics.events_retention_hours", 168, 1, 1_000_000, "how long the events topic keeps events for replay");
    public static final ConfigKey<Integer> STATUS_INTERVAL_SECONDS = ConfigKey.integer("status_interval_seconds",
            10, 0, 86_400, "seconds between status lines (0 = none)");

    /** the windows: the topology's, and the bridge ticks when its watermark closes one */
    public static final ConfigKey<Integer> WINDOW_SECONDS = ConfigKey.integer("topology.window_seconds", 5, 1, 3600,
            "tumbling window length, aligned to the epoch");
    public static final ConfigKey<Integer> GRACE_MS = ConfigKey.integer("topology.grace_ms", 1000, 0, 3_600_000,
            "how long after its end (by the bridges' watermark) a window still accepts events");

    /** host of Riffle's own figures: the topology's self metrics and the bridge's; never summed into a fleet */
    public static final ConfigKey<String> SELF_HOST = ConfigKey.string("topology.self_host", "riffle",
            "host of Riffle's own metrics (topology and bridge figures); never summed into an all-hosts series");

    /** passed to every Kafka client Riffle makes (see {@link KafkaClients}) */
    public static final ConfigKey<Map<String, String>> KAFKA_CLIENT = ConfigKey.map("kafka.client", Map.of(),
            "Kafka client settings for every producer, consumer, admin and Streams client Riffle makes "
                    + "(security.protocol, sasl.*, ssl.*, ...); also one variable each: RIFFLE_KAFKA_CLIENT_<NAME>");
    public static final ConfigKey<String> KAFKA_CLIENT_FILE = ConfigKey.optionalString("kafka.client_file",
            "a Java properties file of Kafka client settings (for secrets); kafka.client wins over it");

    public static final List<ConfigKey<?>> ALL = List.of(DATA_DIR, BIND, KAFKA_BOOTSTRAP, KAFKA_PORT, EVENTS_TOPIC,
            EVENTS_PARTITIONS, POINTS_TOPIC, POINTS_PARTITIONS, REPLICATION, EVENTS_RETENTION_HOURS,
            STATUS_INTERVAL_SECONDS, WINDOW_SECONDS, GRACE_MS, SELF_HOST, KAFKA_CLIENT, KAFKA_CLIENT_FILE);
}
