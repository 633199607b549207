package dev.riffle.ingest;

import dev.riffle.core.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the events of many datagrams for a few milliseconds, so that Kafka sees one record per host per
 * interval instead of one per datagram. The interval stays far below the topology's grace, so gathering never
 * makes an event late. Used by one listener thread only.
 */
final class Gatherer {
    private final Intake intake;
    private final long intervalNanos;
    private final int maxEvents;
    private List<Event> pending;
    private long firstAt;

    Gatherer(Intake intake, long intervalNanos, int maxEvents) {
        this.intake = intake;
        this.intervalNanos = intervalNanos;
        this.maxEvents = maxEvents;
        this.pending = new ArrayList<>(maxEvents);
    }

    /** The list decoders add to; the gathering interval starts with the first event in it. */
    List<Event> pending(long nowNanos) {
        if (pending.isEmpty()) {
            firstAt = nowNanos;
        }
        return pending;
    }

    /** Hands the gathered events on when the interval is over or enough have gathered. */
    void flushIfDue(long nowNanos) {
        if (!pending.isEmpty() && (pending.size() >= maxEvents || nowNanos - firstAt >= intervalNanos)) {
            flush();
        }
    }

    /** Milliseconds until a flush is due, 0 when nothing is pending (wait for input as long as it takes). */
    long millisUntilDue(long nowNanos) {
        if (pending.isEmpty()) {
            return 0;
        }
        return Math.max(1, (intervalNanos - (nowNanos - firstAt) + 999_999) / 1_000_000);
    }

    void flush() {
        if (!pending.isEmpty()) {
            List<Event> out = pending;
            pending = new ArrayList<>(maxEvents);
            intake.offer(out);
        }
    }
}
