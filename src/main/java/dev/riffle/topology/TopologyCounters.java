package dev.riffle.topology;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Figures for the status line, shared by all tasks of one instance. */
public final class TopologyCounters {
    final LongAdder eventsProcessed = new LongAdder();
    final LongAdder lateEvents = new LongAdder();
    final LongAdder malformedRecords = new LongAdder();
    final LongAdder unknownKind = new LongAdder();
    final LongAdder missingMetric = new LongAdder();
    final LongAdder clockAhead = new LongAdder();
    final LongAdder ticks = new LongAdder();
    final LongAdder pointsEmitted = new LongAdder();
    /** records written to the points topic (batches of points, and clock records) */
    final LongAdder pointRecords = new LongAdder();
    final LongAdder fleetCorrections = new LongAdder();
    final LongAdder fleetLate = new LongAdder();
    /** per task ("host-p", "fleet-p"): windows before this are closed and their points handed on */
    final Map<String, Long> closed = new ConcurrentHashMap<>();

    /**
     * Windows starting before the returned time are closed by every task of this instance, per host and
     * all-hosts; MIN until all {@code partitions} per-host tasks and as many fleet tasks have closed one.
     */
    /** Per task, the start of the first window it has not closed (ms). */
    public Map<String, Long> closedByTask() {
        return new java.util.TreeMap<>(closed);
    }

    public long closedThrough(int partitions) {
        if (closed.size() < 2 * partitions) {
            return Long.MIN_VALUE;
        }
        long low = Long.MAX_VALUE;
        for (long next : closed.values()) {
            low = Math.min(low, next);
        }
        return low;
    }

    /** Records written to the points topic: batches of points and clock records. */
    public long pointRecords() {
        return pointRecords.sum();
    }

    public long eventsProcessed() {
        return eventsProcessed.sum();
    }

    public long lateEvents() {
        return lateEvents.sum();
    }

    public long malformedRecords() {
        return malformedRecords.sum();
    }

    public long unknownKind() {
        return unknownKind.sum();
    }

    /** gauge, histogram or timer events without a metric (ignored) */
    public long missingMetric() {
        return missingMetric.sum();
    }

    /** events further ahead of their arrival than topology.max_clock_ahead_ms: put in their arrival's window */
    public long clockAhead() {
        return clockAhead.sum();
    }

    /** bridge ticks (watermark records) read from the events topic */
    public long ticks() {
        return ticks.sum();
    }

    public long pointsEmitted() {
        return pointsEmitted.sum();
    }

    /** fleet points re-emitted because a partial arrived after its window was emitted */
    public long fleetCorrections() {
        return fleetCorrections.sum();
    }

    /** partials that arrived after their fleet window was dropped (beyond the fleet lateness) */
    public long fleetLate() {
        return fleetLate.sum();
    }
}
