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

    public static final List<ConfigKey<?>> ALL = List.of(RIEMANN_PORT, STATSD_PORT, JSON_PORT, UDP_MAX_BYTES,
            UDP_RECEIVE_BUFFER, TCP_MAX_FRAME, TCP_MAX_CONNECTIONS);
}
