package dev.riffle.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.ingest.MemoryBudget.Use;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The budget's rules: frames at most half, frames give up only when their own share stays full, publishing goes on. */
class MemoryBudgetTest {
    final MemoryBudget budget = new MemoryBudget(1_000);

    @Test
    void framesInProgressTakeAtMostHalf() {
        assertTrue(budget.tryReserve(Use.FRAMES, 400));
        assertFalse(budget.tryReserve(Use.FRAMES, 200), "over half for frames");
        assertTrue(budget.tryReserve(Use.UNACKED, 500), "the other half is there for publishing");
        assertEquals(900, budget.used());
        assertEquals(400, budget.used(Use.FRAMES));
    }

    @Test
    void aFrameGivesUpWhenTheFramesShareStaysFullForTheGrace() throws Exception {
        assertTrue(budget.tryReserve(Use.FRAMES, 500));
        long t0 = System.nanoTime();
        assertFalse(budget.reserveFrame(100, 200));
        long waited = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(waited >= 190 && waited < 2_000, "waited " + waited + " ms");
    }

    @Test
    void aFrameWaitsAsLongAsItTakesWhenKafkaIsWhatIsBehind() throws Exception {
        assertTrue(budget.tryReserve(Use.UNACKED, 950)); // Kafka has not acknowledged: the total is full
        CompletableFuture<Boolean> frame = CompletableFuture.supplyAsync(() -> {
            try {
                return budget.reserveFrame(100, 200);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(600); // three graces: it must still be waiting, not refused
        assertFalse(frame.isDone(), "a frame was refused because Kafka was slow");
        budget.release(Use.UNACKED, 950); // Kafka acknowledged
        assertTrue(frame.get(5, TimeUnit.SECONDS));
        assertEquals(100, budget.used(Use.FRAMES));
    }

    @Test
    void publishingAlwaysProgressesWhateverBuffersAndFramesHold() throws Exception {
        budget.force(Use.BUFFERS, 900); // many connections
        assertTrue(budget.tryReserve(Use.FRAMES, 100));
        assertTrue(budget.tryReserve(Use.UNACKED, 300), "nothing unacknowledged: one Msg may always go");
        assertFalse(budget.tryReserve(Use.UNACKED, 1), "but only one at a time beyond the bound");
        assertEquals(1_300, budget.peak());
    }
}
