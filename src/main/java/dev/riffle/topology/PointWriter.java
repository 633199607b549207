package dev.riffle.topology;

import dev.riffle.core.PointsCodec;
import dev.riffle.core.SeriesId;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Step 4's output, for one task: turns a closed window's aggregates into points on the points topic, in batches
 * (see {@link PointsCodec}): each point goes to one of {@link PointsLanes#LANES} lanes by a stable hash of its
 * series, a lane's points are one record (at most {@link PointsCodec#MAX_RECORD_BYTES}) keyed by the lane, and
 * {@link PointsLanes} maps a lane to a partition. So a series stays in one partition (the alert stage keeps its
 * state there) and a window of 150k series is about 500 records instead of 150k (measured by PointBatchesTest).
 *
 * <p>The caller {@link #flush}es before it lets the stream thread commit (the end of a close slice), so a commit
 * never leaves a point behind in a builder. A series keeps its identities from window to window, and building
 * them costs more than looking them up, so those of the series written in this window and the one before are kept
 * (two generations: a series silent for a whole window, and a meter once it expires, is dropped), at most
 * {@value #CACHED_SERIES} per generation.
 */
final class PointWriter {
    private static final int CACHED_SERIES = 100_000;

    private final Rules rules;
    private final ProcessorContext<String, byte[]> context;
    private final String child;
    private final boolean fleet;
    private final String writer;
    private final TopologyCounters counters;
    private final PointsCodec.Builder[] lanes = new PointsCodec.Builder[PointsLanes.LANES];
    /** the identities of the series written in the window {@link #generationStart} */
    private Map<Series, Named> names = new HashMap<>();
    /** those of the window before it, not yet written in this one */
    private Map<Series, Named> previous = new HashMap<>();
    private long generationStart = Long.MIN_VALUE;

    private record Named(SeriesId[] ids, int[] lanes) {
    }

    /**
     * @param child  the node the points go to (the points topic's sink)
     * @param fleet  whether this is the fleet stage's writer (series under pseudo-hosts)
     * @param writer this task's name in clock entries, e.g. {@code fleet-2}
     */
    PointWriter(Rules rules, ProcessorContext<String, byte[]> context, String child, boolean fleet, String writer,
                TopologyCounters counters) {
        this.rules = rules;
        this.context = context;
        this.child = child;
        this.fleet = fleet;
        this.writer = writer;
        this.counters = counters;
    }

    /** Adds the points of one series in one window; returns how many. */
    int emit(Aggregate a, long start) {
        Named n = named(a.series, start);
        double[] values = rules.values(a);
        for (int i = 0; i < n.ids.length; i++) {
            add(n.ids[i], n.lanes[i], values[i], start);
        }
        return n.ids.length;
    }

    /** The 0.0 a silent meter gets while its last event has not expired. */
    void zero(Series meter, long start) {
        Named n = named(meter, start);
        add(n.ids[0], n.lanes[0], 0.0, start);
    }

    /**
     * Writes every lane's pending points, then a clock entry into every partition of the points topic: this task
     * has written every point of the windows starting at or before {@code start} (ms).
     */
    void clock(long start) {
        flush();
        if (start < rules.pointsFrom || start > rules.pointsUntil) {
            return; // a replay's clock stays within its range, as its points do
        }
        long seconds = Math.floorDiv(start, 1000);
        byte[] record = new PointsCodec.Builder().clock(writer, seconds).build();
        context.forward(new Record<>(PointsLanes.CLOCK_KEY, record, start), child);
        counters.pointRecords.increment();
    }

    /** Hands on every lane's pending points, one record per lane. */
    void flush() {
        for (int lane = 0; lane < lanes.length; lane++) {
            if (lanes[lane] != null && !lanes[lane].isEmpty()) {
                forward(lane);
            }
        }
    }

    /** The identities of a series written for the window starting at {@code start} (ms). */
    private Named named(Series s, long start) {
        if (start > generationStart) { // windows close in time order: a new one starts a generation
            previous = names;
            names = new HashMap<>();
            generationStart = start;
        }
        Named n = names.get(s);
        if (n == null) {
            n = previous.remove(s);
            if (n == null) {
                SeriesId[] ids = rules.ids(s, fleet);
                int[] laneOf = new int[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    laneOf[i] = PointsLanes.laneOf(ids[i]);
                }
                n = new Named(ids, laneOf);
            }
            if (names.size() < CACHED_SERIES) {
                names.put(s, n);
            }
        }
        return n;
    }

    private void add(SeriesId id, int lane, double value, long start) {
        if (start < rules.pointsFrom || start > rules.pointsUntil) {
            return; // outside a replay's range: a partial window at its edge
        }
        PointsCodec.Builder b = lanes[lane];
        if (b == null) {
            b = lanes[lane] = new PointsCodec.Builder();
        }
        b.add(id, value, Math.floorDiv(start, 1000));
        if (b.full()) {
            forward(lane);
        }
    }

    private void forward(int lane) {
        PointsCodec.Builder b = lanes[lane];
        long time = b.newestSeconds() * 1000L;
        context.forward(new Record<>(PointsLanes.key(lane), b.build(), time), child);
        counters.pointRecords.increment();
    }
}
