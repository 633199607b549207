package dev.riffle.topology;

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
    final LongAdder fleetCorrections = new LongAdder();
    final LongAdder fleetLate = new LongAdder();

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
