package dev.riffle.sink;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets are safe in carbon. Plaintext carbon acknowledges nothing, so a write is only confirmed once the
 * connections stayed open for the commit delay after it: a carbon that stops or crashes before storing what it
 * received closes or resets the connection within that time, and the sink then rewinds to
 * {@link #replayFrom()} (the last commit) and writes it all again. Carbon overwrites a point with the same
 * timestamp, so a replay is harmless.
 *
 * <p>Writes within {@value #COALESCE_MS} ms of an entry's first write share that entry, so the queue holds at most
 * commit delay / {@value #COALESCE_MS} ms + 1 entries however fast the writes come.
 */
final class OffsetLedger {
    static final long COALESCE_MS = 100;

    /** Offsets after the writes from {@code firstNanos} to {@code nanos} (the newest, which must age). */
    private record Written(Map<TopicPartition, Long> nextOffsets, long firstNanos, long nanos) {
    }

    private final Map<TopicPartition, Long> replayFrom = new HashMap<>();
    private final Map<TopicPartition, Long> written = new HashMap<>();
    private final ArrayDeque<Written> unconfirmed = new ArrayDeque<>();

    /** The first offset of a partition seen since it was assigned: where a replay starts before any commit. */
    void seen(TopicPartition tp, long offset) {
        replayFrom.putIfAbsent(tp, offset);
    }

    /** A batch covering these next offsets was written to every target at {@code nanos}. */
    void written(Map<TopicPartition, Long> nextOffsets, long nanos) {
        written.putAll(nextOffsets);
        Written last = unconfirmed.peekLast();
        long first = nanos;
        if (last != null && nanos - last.firstNanos() < COALESCE_MS * 1_000_000) {
            // merged, but never for longer than the coalescing span: under steady writes entries keep ageing
            unconfirmed.pollLast();
            first = last.firstNanos();
        }
        unconfirmed.addLast(new Written(Map.copyOf(written), first, nanos));
    }

    /**
     * The newest offsets written at least {@code delayNanos} before {@code nowNanos}, removed from the queue,
     * or null when nothing is old enough. Call only when every connection was just seen open.
     */
    Map<TopicPartition, Long> confirmed(long nowNanos, long delayNanos) {
        Map<TopicPartition, Long> result = null;
        while (!unconfirmed.isEmpty() && nowNanos - unconfirmed.peekFirst().nanos() >= delayNanos) {
            result = unconfirmed.pollFirst().nextOffsets();
        }
        return result;
    }

    /** Offsets committed to Kafka: a later replay starts there. */
    void committed(Map<TopicPartition, Long> offsets) {
        replayFrom.putAll(offsets);
    }

    /** A target failed: nothing written since the last commit counts any more. Returns where to seek. */
    Map<TopicPartition, Long> rewind() {
        written.clear();
        unconfirmed.clear();
        return Map.copyOf(replayFrom);
    }

    /** Partitions revoked or lost: their progress now belongs to another sink instance. */
    void forget(Collection<TopicPartition> partitions) {
        replayFrom.keySet().removeAll(partitions);
        written.keySet().removeAll(partitions); // queued entries may still name them: commits keep only owned ones
    }

    Map<TopicPartition, Long> replayFrom() {
        return replayFrom;
    }

    int unconfirmedEntries() {
        return unconfirmed.size();
    }
}
