package dev.riffle.topology;

import java.util.concurrent.atomic.LongAdder;

/** Figures for the status line, shared by all tasks of one instance. */
public final class TopologyCounters {
    final LongAdder eventsProcessed = new LongAdder();
    final LongAdder lateEvents = new LongAdder();
    final LongAdder malformedRecords = new LongAdder();
    final LongAdder unknownKind = new LongAdder();
    final LongAdder pointsEmitted = new LongAdder();

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

    public long pointsEmitted() {
        return pointsEmitted.sum();
    }
}
