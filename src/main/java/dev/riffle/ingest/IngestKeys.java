package dev.riffle.ingest;

import dev.riffle.config.ConfigKey;
import java.util.List;

/** Settings of the bridge. */
public final class IngestKeys {
    private IngestKeys() {
    }

    public static final ConfigKey<Integer> RIEMANN_PORT = ConfigKey.port("riemann_port", 5555,
            "Riemann protobuf, UDP and TCP");
    public static final ConfigKey<Integer> STATSD_PORT = ConfigKey.port("statsd_port", 8125, "statsd lines, UDP");
    public static final ConfigKey<Integer> JSON_PORT = ConfigKey.port("json_port", 5556, "JSON lines, TCP");
    public static final ConfigKey<Integer> UDP_MAX_BYTES = ConfigKey.integer("ingest.udp_max_bytes", 16 * 1024,
            512, 65_507, "largest UDP datagram accepted; larger ones are counted and dropped");
    public static final ConfigKey<Integer> UDP_RECEIVE_BUFFER = ConfigKey.integer("ingest.udp_receive_buffer",
            8 * 1024 * 1024, 64 * 1024, 1 << 30, "SO_RCVBUF asked for each UDP socket, so bursts are not lost");
    public static final ConfigKey<Integer> TCP_MAX_FRAME = ConfigKey.integer("ingest.tcp_max_frame_bytes",
            4 * 1024 * 1024, 1024, 256 * 1024 * 1024, "largest framed Riemann message accepted over TCP");
    public static final ConfigKey<Integer> TCP_MAX_CONNECTIONS = ConfigKey.integer("ingest.tcp_max_connections",
            1024, 1, 100_000, "TCP connections served at once; more are refused");
    public static final ConfigKey<Integer> JSON_MAX_LINE = ConfigKey.integer("ingest.json_max_line_bytes",
            64 * 1024, 256, 16 * 1024 * 1024, "longest JSON line accepted; longer ones are counted and skipped");
    public static final ConfigKey<String> STATSD_HOST = ConfigKey.optionalString("ingest.statsd_host",
            "host of statsd events without a host: tag; empty = this machine's host name");
    public static final ConfigKey<String> STATSD_ENVIRONMENT = ConfigKey.optionalString("ingest.statsd_environment",
            "environment tag added to statsd events without an env: tag; empty = none");
    public static final ConfigKey<List<String>> SPREAD_HOSTS = ConfigKey.list("ingest.spread_hosts", List.of(),
            "hosts whose events are spread over the events partitions by service (the statsd host always is); "
                    + "every bridge must list the same");
    public static final ConfigKey<Integer> STATSD_MAX_GAUGES = ConfigKey.integer("ingest.statsd_max_gauges",
            100_000, 1, 10_000_000, "statsd gauges remembered for +/- changes (least recently used forgotten)");
    public static final ConfigKey<Integer> MAX_FUTURE_SECONDS = ConfigKey.integer("ingest.max_future_seconds",
            3600, 1, 1_000_000_000, "events further ahead than this get the receive time (counted); "
                    + "events older than topics.events_retention_hours too");
    public static final ConfigKey<Long> MEMORY_BYTES = ConfigKey.longValue("ingest.memory_bytes",
            128L * 1024 * 1024, 64 * 1024, 1L << 40, "heap the bridge may hold for its clients: connection "
                    + "buffers, frames and lines in progress, events not yet acknowledged by Kafka; when it is spent "
                    + "UDP input is dropped (counted) and TCP connections stop being read");
    public static final ConfigKey<Integer> TCP_IDLE_TIMEOUT_MS = ConfigKey.integer("ingest.tcp_idle_timeout_ms",
            60_000, 100, 86_400_000, "a TCP connection that sends nothing this long while owed nothing is closed");
    public static final ConfigKey<Integer> TCP_MIN_BYTES_PER_SECOND = ConfigKey.integer(
            "ingest.tcp_min_bytes_per_second", 16 * 1024, 1, 1 << 30, "a TCP frame or line in progress must "
                    + "arrive at least this fast after its first 2 s, else the connection is closed");
    public static final ConfigKey<Integer> UDP_GATHER_MS = ConfigKey.integer("ingest.udp_gather_ms", 5, 0, 200,
            "UDP events are gathered this long into one Kafka record per host (keep far below the grace)");
    public static final ConfigKey<Integer> SELF_METRICS_SECONDS = ConfigKey.integer("ingest.self_metrics_seconds",
            5, 0, 3600, "seconds between the bridge's self-metric events (0 = none)");

    public static final ConfigKey<String> BRIDGE_ID = ConfigKey.optionalString("ingest.bridge_id",
            "this bridge's name in its ticks (empty = host name:riemann port); keep it across restarts");

    public static final List<ConfigKey<?>> ALL = List.of(BRIDGE_ID, RIEMANN_PORT, STATSD_PORT, JSON_PORT, UDP_MAX_BYTES,
            UDP_RECEIVE_BUFFER, TCP_MAX_FRAME, TCP_MAX_CONNECTIONS, JSON_MAX_LINE, STATSD_HOST, STATSD_ENVIRONMENT,
            STATSD_MAX_GAUGES, MAX_FUTURE_SECONDS, MEMORY_BYTES, TCP_IDLE_TIMEOUT_MS, TCP_MIN_BYTES_PER_SECOND,
            UDP_GATHER_MS, SELF_METRICS_SECONDS, SPREAD_HOSTS);
}
