package dev.riffle.ingest;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the bridge accepted and what it refused, by reason. Refusals are logged at most once per
 * {@link #LOG_INTERVAL_MS} (with the count since the last line), never once per packet.
 */
public final class IngestCounters {
    private static final Logger log = LoggerFactory.getLogger(IngestCounters.class);
    static final long LOG_INTERVAL_MS = 10_000;

    /** Why input was refused; the name becomes part of the self metric's service. */
    public enum Reason {
        MALFORMED_MESSAGE("malformed-message"),
        OVERSIZED_MESSAGE("oversized-message"),
        MISSING_HOST_OR_SERVICE("missing-host-or-service"),
        NON_FINITE_METRIC("non-finite-metric"),
        QUERY("query"),
        PUBLISH_FAILED("publish-failed");

        public final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    private final LongAdder received = new LongAdder();
    private final LongAdder published = new LongAdder();
    private final Map<Reason, LongAdder> rejected = new EnumMap<>(Reason.class);
    private final AtomicLong nextLogAt = new AtomicLong();
    private final LongAdder unloggedRejects = new LongAdder();

    public IngestCounters() {
        for (Reason r : Reason.values()) {
            rejected.put(r, new LongAdder());
        }
    }

    void received(int events) {
        received.add(events);
    }

    void published(int events) {
        published.add(events);
    }

    void reject(Reason reason, String detail) {
        rejected.get(reason).increment();
        unloggedRejects.increment();
        long now = System.currentTimeMillis();
        long next = nextLogAt.get();
        if (now >= next && nextLogAt.compareAndSet(next, now + LOG_INTERVAL_MS)) {
            log.warn("refused input ({}): {}; {} refusals since the last such line", reason.label, detail,
                    unloggedRejects.sumThenReset());
        }
    }

    public long received() {
        return received.sum();
    }

    public long published() {
        return published.sum();
    }

    public long rejected(Reason reason) {
        return rejected.get(reason).sum();
    }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(LongAdder::sum).sum();
    }
}
