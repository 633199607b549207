package dev.riffle.http;

import dev.riffle.config.ConfigKey;
import java.util.List;

/** Settings of the graphs page and the Graphite API. */
public final class HttpKeys {
    private HttpKeys() {
    }

    public static final ConfigKey<Integer> HTTP_PORT = ConfigKey.port("http_port", 8080,
            "port of the graphs page, the Graphite find/render API, /healthz and /api/status (0 = off); "
                    + "riffle sink serves them only with http_in_sink");
    public static final ConfigKey<String> HTTP_BIND = ConfigKey.string("http_bind", "127.0.0.1",
            "address the graphs page listens on (loopback by default: it has no authentication)");
    public static final ConfigKey<Boolean> HTTP_IN_SINK = ConfigKey.bool("http_in_sink", false,
            "riffle sink also serves the graphs page and the Graphite API on http_port");

    public static final ConfigKey<Integer> HEALTH_PORT = ConfigKey.port("health_port", 0,
            "port of a /healthz-only endpoint of any riffle command that runs stages (bridge, streams, sink, "
                    + "alerts, run), on http_bind; 200 when every stage of the process runs, else 503 (0 = off)");

    public static final List<ConfigKey<?>> ALL = List.of(HTTP_PORT, HTTP_BIND, HTTP_IN_SINK, HEALTH_PORT);
}
