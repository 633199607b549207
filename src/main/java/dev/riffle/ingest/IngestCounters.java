package dev.riffle.ingest;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the bridge accepted, refused, dropped and adjusted, by reason. Refusals and drops are logged at most once
 * per {@link #LOG_INTERVAL_MS} (with the count since the last line), never once per packet.
 */
public final class IngestCounters {
    private static final Logger log = LoggerFactory.getLogger(IngestCounters.class);
    static final long LOG_INTERVAL_MS = 10_000;

    /** The group a reason belongs to; it is the middle word of the self metric's service. */
    public enum Group {
        /** bad input: the sender's fault */
        REFUSED("refused"),
        /** good input the bridge could not keep: Kafka away or too slow */
        DROPPED("dropped"),
        /** kept, but changed */
        CLAMPED("clamped"),
        /** TCP connections the bridge closed or would not take: idle, too slow, over the limit */
        CLOSED("closed");

        public final String label;

        Group(String label) {
            this.label = label;
        }
    }

    /** Why input was not taken as sent; the label becomes part of the self metric's service. */
    public enum Reason {
        MALFORMED_MESSAGE(Group.REFUSED, "malformed-message"),
        MALFORMED_EVENT(Group.REFUSED, "malformed-event"),
        MALFORMED_LINE(Group.REFUSED, "malformed-line"),
        UNSUPPORTED_LINE(Group.REFUSED, "unsupported-line"),
        INVALID_UTF8(Group.REFUSED, "invalid-utf8"),
        OVERSIZED_MESSAGE(Group.REFUSED, "oversized-message"),
        OVERSIZED_LINE(Group.REFUSED, "oversized-line"),
        TRUNCATED_FRAME(Group.REFUSED, "truncated-frame"),
        MISSING_HOST_OR_SERVICE(Group.REFUSED, "missing-host-or-service"),
        NON_FINITE_METRIC(Group.REFUSED, "non-finite-metric"),
        QUERY(Group.REFUSED, "query"),
        MEMORY_FULL(Group.DROPPED, "memory-full"),
        RECEIVE_QUEUE_FULL(Group.DROPPED, "receive-queue-full"),
        PUBLISH_FAILED(Group.DROPPED, "publish-failed"),
        TIME_IN_FUTURE(Group.CLAMPED, "time-in-future"),
        TIME_TOO_OLD(Group.CLAMPED, "time-too-old"),
        IDLE_TIMEOUT(Group.CLOSED, "idle-timeout"),
        TOO_SLOW(Group.CLOSED, "too-slow"),
        CONNECTION_LIMIT(Group.CLOSED, "connection-limit");

        public final Group group;
        public final String label;

        Reason(Group group, String label) {
            this.group = group;
            this.label = label;
        }
    }

    private final LongAdder received = new LongAdder();
    private final LongAdder published = new LongAdder();
    private final LongAdder ownLost = new LongAdder();
    private final AtomicLong nextOwnLogAt = new AtomicLong();
    private final Map<Reason, LongAdder> counts = new EnumMap<>(Reason.class);
    private final LongAdder ticksFailed = new LongAdder();
    private final AtomicLong nextTickLogAt = new AtomicLong();
    private final AtomicLong nextLogAt = new AtomicLong();
    private final LongAdder unlogged = new LongAdder();

    public IngestCounters() {
        for (Reason r : Reason.values()) {
            counts.put(r, new LongAdder());
        }
    }

    void received(int events) {
        received.add(events);
    }

    void published(int events) {
        published.add(events);
    }

    /** The bridge's own self-metric events that Kafka did not take: not input, so in no input counter. */
    void ownLost(long events, String detail) {
        ownLost.add(events);
        long now = System.currentTimeMillis();
        long next = nextOwnLogAt.get();
        if (now >= next && nextOwnLogAt.compareAndSet(next, now + LOG_INTERVAL_MS)) {
            log.warn("the bridge's self metrics could not be published: {}", detail);
        }
    }

    public long ownLost() {
        return ownLost.sum();
    }

    void reject(Reason reason, String detail) {
        count(reason, 1, detail);
    }

    /** Counts {@code n} occurrences of one reason (a dropped batch counts each of its events). */
    void count(Reason reason, long n, String detail) {
        counts.get(reason).add(n);
        if (reason.group == Group.CLAMPED) {
            return; // kept events are not worth a warning each time; the counter shows them
        }
        unlogged.add(n);
        long now = System.currentTimeMillis();
        long next = nextLogAt.get();
        if (now >= next && nextLogAt.compareAndSet(next, now + LOG_INTERVAL_MS)) {
            log.warn("{} {} ({}): {}; {} refused, dropped or closed since the last such line", reason.group.label,
                    reason.group == Group.CLOSED ? "connection" : "input", reason.label, detail,
                    unlogged.sumThenReset());
        }
    }

    /** A tick Kafka refused: only logged (at most every 10 s), the next tick carries the same news. */
    void tickFailed(Exception error) {
        ticksFailed.increment();
        long now = System.currentTimeMillis();
        long next = nextTickLogAt.get();
        if (now >= next && nextTickLogAt.compareAndSet(next, now + LOG_INTERVAL_MS)) {
            log.warn("writing a tick to the events topic failed ({} so far): {}", ticksFailed.sum(), error.toString());
        }
    }

    public long ticksFailed() {
        return ticksFailed.sum();
    }

    public long received() {
        return received.sum();
    }

    public long published() {
        return published.sum();
    }

    public long count(Reason reason) {
        return counts.get(reason).sum();
    }

    public long total(Group group) {
        long sum = 0;
        for (Reason r : Reason.values()) {
            if (r.group == group) {
                sum += counts.get(r).sum();
            }
        }
        return sum;
    }

    public long rejectedTotal() {
        return total(Group.REFUSED) + total(Group.DROPPED);
    }

    /**
     * Every counter by its self-metric name: {@code events-received}, {@code events-published}, then
     * {@code <group> <reason>} such as {@code refused malformed-message}.
     */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("events-received", received());
        out.put("events-published", published());
        for (Reason r : Reason.values()) {
            out.put(r.group.label + " " + r.label, count(r));
        }
        return out;
    }
}
