package dev.riffle.sink;

import dev.riffle.core.GraphiteNames;
import dev.riffle.core.Point;
import dev.riffle.core.PointsCodec.SeriesPoint;
import dev.riffle.core.SinkFigures;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The sink's own figures as typed points ({@link SinkFigures}: the self host, service
 * {@code sink <instance> <figure>}, a gauge value), one point per 5 s window of the sink's wall clock (timestamp =
 * window start, like every Riffle point), under {@code riffle.sink.<instance>.}: {@code points-written} and
 * {@code points-skipped} (counts in the window), {@code lag} (records of the points topic not yet confirmed in
 * carbon, at the window's end), {@code carbon-connected} (endpoints connected) and {@code carbon-outages}
 * (connections lost or refused in the window). The sink writes them to the points topic ({@link SelfPublisher}),
 * from where every target reads them like any point.
 */
final class SelfMetrics {
    static final int WINDOW_SECONDS = 5;

    /** The figures at the end of a window; counters are totals since start. */
    record Figures(long written, long skipped, long lag, int connected, long outages) {
    }

    private final String selfHost;
    private final String instance;
    private long windowStart = -1;
    private Figures atStart;

    /** @param instance {@code sink.instance}, or blank for the host name up to its first dot */
    SelfMetrics(String selfHost, String instance) {
        this.selfHost = selfHost;
        this.instance = instanceName(instance).replaceAll("[^A-Za-z0-9_-]", "_");
    }

    private static String instanceName(String configured) {
        if (!configured.isBlank()) {
            return configured;
        }
        String host = System.getenv("HOSTNAME");
        try {
            if (host == null || host.isBlank()) {
                host = InetAddress.getLocalHost().getHostName();
            }
        } catch (java.io.IOException e) {
            host = "sink";
        }
        int dot = host.indexOf('.');
        return dot > 0 ? host.substring(0, dot) : host;
    }

    /** True when the figures are due: the first time (to start a window), then at the end of each 5 s window. */
    boolean due(long nowMillis) {
        return windowStart < 0 || nowMillis / 1000 >= windowStart + WINDOW_SECONDS;
    }

    /** The points of the window just ended (none the first time), starting a new window at {@code nowMillis}. */
    List<SeriesPoint> close(long nowMillis, Figures now) {
        List<SeriesPoint> lines = new ArrayList<>();
        if (windowStart >= 0) {
            lines.add(line("points-written", now.written() - atStart.written()));
            lines.add(line("points-skipped", now.skipped() - atStart.skipped()));
            if (now.lag() >= 0) { // unknown while Kafka does not answer
                lines.add(line("lag", now.lag()));
            }
            lines.add(line("carbon-connected", now.connected()));
            lines.add(line("carbon-outages", now.outages() - atStart.outages()));
        }
        windowStart = nowMillis / 1000 / WINDOW_SECONDS * WINDOW_SECONDS;
        atStart = now;
        return lines;
    }

    private SeriesPoint line(String name, long value) {
        return new SeriesPoint(SinkFigures.series(selfHost, instance, name), new Point(value, windowStart));
    }

    /** The Graphite plaintext lines of points (for tests): {@code riffle.sink.box1.lag 42.0 1700000000}. */
    static List<String> lines(List<SeriesPoint> points) {
        return points.stream().map(p -> PlaintextLine.of(GraphiteNames.of(p.id()), p.point())).toList();
    }

    String instance() {
        return instance;
    }
}
