package dev.riffle.ingest;

import dev.riffle.core.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the events of many datagrams for a few milliseconds, so that Kafka sees one record per host per
 * interval instead of one per datagram. Filled by one listener thread only; what it holds is an
 * {@link ArrivalClock.Pending} source, so the bridge's watermark waits for it.
 */
final class Gatherer implements ArrivalClock.Pending {
    private final Intake intake;
    private final long intervalNanos;
    private final int maxEvents;
    private List<Event> pending;
    private long firstAt;
    /** the oldest receive stamp among the gathered events; MAX when none */
    private volatile long oldestMicros = Long.MAX_VALUE;

    Gatherer(Intake intake, long intervalNanos, int maxEvents) {
        this.intake = intake;
        this.intervalNanos = intervalNanos;
        this.maxEvents = maxEvents;
        this.pending = new ArrayList<>(maxEvents);
    }

    /**
     * The list decoders add to, for input received at {@code receivedMicros}; the gathering interval starts with
     * the first event in it.
     */
    List<Event> pending(long nowNanos, long receivedMicros) {
        if (!pending.isEmpty() && receivedMicros - oldestMicros > ArrivalClock.MAX_SHARED_STAMP_MICROS) {
            flush(); // gathered before a stall: what was received after it does not take their stamp
        }
        if (pending.isEmpty()) {
            firstAt = nowNanos;
        }
        if (receivedMicros < oldestMicros) {
            oldestMicros = receivedMicros;
        }
        return pending;
    }

    @Override
    public long oldestMicros() {
        return oldestMicros;
    }

    /** Hands the gathered events on when the interval is over or enough have gathered. */
    void flushIfDue(long nowNanos) {
        if (pending.isEmpty()) {
            oldestMicros = Long.MAX_VALUE; // input that gave no events (refused) holds nothing back
        } else if (pending.size() >= maxEvents || nowNanos - firstAt >= intervalNanos) {
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
            intake.offer(out, oldestMicros);
        }
        oldestMicros = Long.MAX_VALUE; // after the hand-over: the watermark may pass these events now
    }
}
