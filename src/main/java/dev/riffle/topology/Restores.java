package dev.riffle.topology;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StandbyUpdateListener;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What moving a task costs: each restore of a store from its changelog (a task taken over, or started without a
 * local copy) and each warm copy (standby or warm-up) catching up, logged once per changelog partition when done,
 * with records and time, and summed. At most one line per store partition per rebalance.
 */
final class Restores implements StateRestoreListener, StandbyUpdateListener {
    private static final Logger log = LoggerFactory.getLogger(Restores.class);

    private record Started(long nanos, AtomicLong records) {
    }

    private final Map<TopicPartition, Started> restoring = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Started> warming = new ConcurrentHashMap<>();
    private final AtomicLong restores = new AtomicLong();
    private final AtomicLong restoredRecords = new AtomicLong();
    private final AtomicLong restoreMillis = new AtomicLong();
    private final AtomicLong warmCopies = new AtomicLong();
    private final AtomicLong warmedRecords = new AtomicLong();
    private final AtomicLong warmMillis = new AtomicLong();

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startOffset, long endOffset) {
        restoring.put(partition, new Started(System.nanoTime(), new AtomicLong()));
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long restored) {
        Started s = restoring.get(partition);
        if (s != null) {
            s.records.addAndGet(restored);
        }
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        Started s = restoring.remove(partition);
        long ms = s == null ? 0 : (System.nanoTime() - s.nanos) / 1_000_000;
        restores.incrementAndGet();
        restoredRecords.addAndGet(totalRestored);
        restoreMillis.addAndGet(ms);
        log.info("restored {} from {}: {} records in {} ms", store, partition, totalRestored, ms);
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        restoring.remove(partition); // the task moved on before its restore ended
    }

    @Override
    public void onUpdateStart(TopicPartition partition, String store, long startingOffset) {
        warming.put(partition, new Started(System.nanoTime(), new AtomicLong()));
    }

    @Override
    public void onBatchLoaded(TopicPartition partition, String store, TaskId task, long batchEndOffset,
                              long batchSize, long currentEndOffset) {
        Started s = warming.get(partition);
        if (s == null) {
            return; // caught up before: a standby following its active
        }
        s.records.addAndGet(batchSize);
        if (batchEndOffset + 1 >= currentEndOffset && warming.remove(partition, s)) {
            long ms = (System.nanoTime() - s.nanos) / 1_000_000;
            warmCopies.incrementAndGet();
            warmedRecords.addAndGet(s.records.get());
            warmMillis.addAndGet(ms);
            log.info("warm copy of {} from {} (task {}) caught up: {} records in {} ms", store, partition, task,
                    s.records.get(), ms);
        }
    }

    @Override
    public void onUpdateSuspended(TopicPartition partition, String store, long storeOffset, long currentEndOffset,
                                  SuspendReason reason) {
        warming.remove(partition);
    }

    /** e.g. {@code restores 6 (150000 records, 2400 ms), warm copies caught up 2 (50000 records, 900 ms)}. */
    String summary() {
        return "restores " + restores + " (" + restoredRecords + " records, " + restoreMillis + " ms), warm copies"
                + " caught up " + warmCopies + " (" + warmedRecords + " records, " + warmMillis + " ms)";
    }
}
