package dev.riffle.sink;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What the sink handed its durable targets since their last flush: the offsets after those records (committable
 * once every durable target flushed and confirmed them), how many points they held, and since when the oldest waits.
 */
final class Delivered {
    private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
    private int points;
    private long sinceNanos;

    /** A record's points were delivered (or it was skipped): committing means resuming after it. */
    void record(TopicPartition tp, long offset, int recordPoints) {
        nextOffsets.put(tp, offset + 1);
        points += recordPoints;
        if (sinceNanos == 0) {
            sinceNanos = System.nanoTime();
        }
    }

    boolean isEmpty() {
        return sinceNanos == 0;
    }

    /** True once the oldest delivery has waited the flush interval. */
    boolean due(long flushNanos) {
        return !isEmpty() && System.nanoTime() - sinceNanos >= flushNanos;
    }

    long nanosUntilDue(long flushNanos) {
        return isEmpty() ? Long.MAX_VALUE : Math.max(0, sinceNanos + flushNanos - System.nanoTime());
    }

    Map<TopicPartition, Long> nextOffsets() {
        return nextOffsets;
    }

    int points() {
        return points;
    }

    void clear() {
        nextOffsets.clear();
        points = 0;
        sinceNanos = 0;
    }
}
