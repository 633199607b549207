package dev.riffle.sink;

import dev.riffle.core.GraphiteNames;
import dev.riffle.core.Point;
import dev.riffle.core.PointsCodec.SeriesPoint;
import dev.riffle.core.SeriesId;
import dev.riffle.core.Statistic;
import java.util.ArrayList;
import java.util.List;

/**
 * The sink's own figures as typed points (host {@code riffle}, service {@code sink <instance> <figure>}, a gauge
 * value), one point per 5 s window (timestamp = window start, like every
 * Riffle point), under {@code riffle.sink.<instance>.}:
 * {@code points-written} and {@code points-skipped} (counts in the window), {@code lag} (records of the points
 * topic not yet confirmed in carbon, at the window's end), {@code carbon-connected} (endpoints connected) and
 * {@code carbon-outages} (connections lost or refused in the window). They go to the sink's targets as every
 * other point does (carbon names them {@code riffle.sink.<instance>.<figure>}), not through Kafka: carbon holds the
 * windows of an outage (up to {@value #MAX_HELD_LINES} points) and writes them when it is back.
 */
final class SelfMetrics {
    static final int WINDOW_SECONDS = 5;
    static final int MAX_HELD_LINES = 1_000;

    /** The figures at the end of a window; counters are totals since start. */
    record Figures(long written, long skipped, long lag, int connected, long outages) {
    }

    private final String instance;
    private long windowStart = -1;
    private Figures atStart;

    SelfMetrics(String instance) {
        this.instance = instance.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    /** True when {@code nowMillis} is past the current window, i.e. it is time to take figures. */
    boolean windowEnded(long nowMillis) {
        return windowStart >= 0 && nowMillis / 1000 >= windowStart + WINDOW_SECONDS;
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

    boolean started() {
        return windowStart >= 0;
    }

    private SeriesPoint line(String name, long value) {
        return new SeriesPoint(SeriesId.host("", "riffle", "sink " + instance + " " + name, Statistic.value()),
                new Point(value, windowStart));
    }

    /** The Graphite plaintext lines of points (for tests and carbon): {@code riffle.sink.box1.lag 42.0 1700000000}. */
    static List<String> lines(List<SeriesPoint> points) {
        return points.stream().map(p -> PlaintextLine.of(GraphiteNames.of(p.id()), p.point())).toList();
    }

    String instance() {
        return instance;
    }
}
