package dev.riffle.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class DeliveredTest {
    private static final TopicPartition P0 = new TopicPartition("points", 0);

    @Test
    void recordsCountPointsAndKeepTheNextOffsetPerPartition() {
        Delivered d = new Delivered();
        assertTrue(d.isEmpty());
        assertFalse(d.due(0), "nothing waits: nothing to flush");
        d.record(P0, 7, 1);
        d.record(P0, 8, 0); // skipped: still committed past, no point
        assertEquals(Map.of(P0, 9L), d.nextOffsets());
        assertEquals(1, d.points());
        assertTrue(d.due(0));
        assertFalse(d.due(60_000_000_000L), "not before the flush interval");
        d.clear();
        assertTrue(d.isEmpty());
        assertEquals(0, d.points());
        assertEquals(Map.of(), d.nextOffsets());
    }
}
