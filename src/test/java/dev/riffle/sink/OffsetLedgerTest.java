package dev.riffle.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetLedgerTest {
    private static final TopicPartition P0 = new TopicPartition("points", 0);
    private static final TopicPartition P1 = new TopicPartition("points", 1);
    private static final long MS = 1_000_000;

    @Test
    void aWriteIsConfirmedOnlyAfterTheDelay() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.seen(P0, 10);
        ledger.written(Map.of(P0, 20L), 0);
        assertNull(ledger.confirmed(1_999 * MS, 2_000 * MS));
        assertEquals(Map.of(P0, 20L), ledger.confirmed(2_000 * MS, 2_000 * MS));
        assertNull(ledger.confirmed(5_000 * MS, 2_000 * MS), "confirmed once");
    }

    @Test
    void theNewestOldEnoughWriteWinsAndCarriesEveryPartition() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.written(Map.of(P0, 20L), 0);
        ledger.written(Map.of(P1, 5L), 500 * MS);
        ledger.written(Map.of(P0, 30L), 1_500 * MS);
        assertEquals(Map.of(P0, 20L, P1, 5L), ledger.confirmed(2_600 * MS, 2_000 * MS));
        assertEquals(1, ledger.unconfirmedEntries());
    }

    @Test
    void writesCloseTogetherShareOneEntry() {
        OffsetLedger ledger = new OffsetLedger();
        for (int i = 0; i < 1_000; i++) {
            ledger.written(Map.of(P0, (long) i), i * MS); // one a millisecond for a second
        }
        assertEquals(10, ledger.unconfirmedEntries(), "bounded by time, not by the number of writes");
    }

    @Test
    void rewindForgetsUnconfirmedWritesAndGoesBackToTheLastCommit() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.seen(P0, 10);
        ledger.seen(P1, 3);
        ledger.written(Map.of(P0, 20L, P1, 4L), 0);
        ledger.committed(ledger.confirmed(3_000 * MS, 2_000 * MS));
        ledger.written(Map.of(P0, 50L), 3_000 * MS);
        ledger.seen(P0, 999); // a later first sighting does not move the replay start
        assertEquals(Map.of(P0, 20L, P1, 4L), ledger.rewind());
        assertEquals(0, ledger.unconfirmedEntries());
        assertNull(ledger.confirmed(99_000 * MS, 0));
    }

    @Test
    void forgottenPartitionsAreNoLongerReplayed() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.seen(P0, 1);
        ledger.seen(P1, 2);
        ledger.forget(List.of(P1));
        assertEquals(Map.of(P0, 1L), ledger.rewind());
    }
}
