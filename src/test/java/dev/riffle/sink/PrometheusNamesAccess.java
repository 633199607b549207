package dev.riffle.sink;

import dev.riffle.testing.RemoteWriteServer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** For tests outside the sink package: the receivers' comparison. */
public final class PrometheusNamesAccess {
    private PrometheusNamesAccess() {
    }

    /** Same series, times and values: exactly for Prometheus, to VictoriaMetrics' 12 digits. */
    public static <K> void assertSame(Map<K, TreeMap<Long, List<Double>>> expected,
                                      Map<K, TreeMap<Long, List<Double>>> stored, RemoteWriteServer server) {
        PrometheusTargetTest.assertSame(expected, stored,
                server.kind() == RemoteWriteServer.Kind.PROMETHEUS ? 0 : 1e-12, server);
    }
}
