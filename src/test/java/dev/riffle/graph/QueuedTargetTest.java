package dev.riffle.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.GraphiteNames;
import dev.riffle.core.Point;
import dev.riffle.core.PointTarget;
import dev.riffle.core.SeriesId;
import dev.riffle.testing.Points;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class QueuedTargetTest {
    /** Counts what it gets; blocks on its first point until released (a store that falls behind). */
    static final class Slow implements PointTarget {
        final AtomicLong got = new AtomicLong();
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String name() {
            return "slow";
        }

        @Override
        public boolean accept(SeriesId series, Point point) {
            String path = GraphiteNames.of(series);
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            got.incrementAndGet();
            return true;
        }
    }

    @Test
    void aTargetThatFallsBehindLosesPointsCountedAndNeverHoldsTheCaller() throws Exception {
        Slow slow = new Slow();
        QueuedTarget queued = new QueuedTarget(slow, 100);
        long t0 = System.nanoTime();
        for (int i = 0; i < 1_000; i++) {
            assertTrue(queued.accept(Points.idOf("a.b" + i), new Point(i, 1_700_000_000L)));
        }
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "the caller never waited");
        slow.release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (queued.waiting() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        queued.close();
        assertEquals(1_000, slow.got.get() + queued.dropped(), "every point either stored or counted as dropped");
        assertTrue(queued.dropped() > 0, "a queue of 100 cannot hold 1,000 points while the target is stuck");
    }

    @Test
    void aTargetThatMustSeeEveryPointIsRefused() {
        PointTarget durable = new PointTarget() {
            @Override
            public String name() {
                return "carbon-like";
            }

            @Override
            public boolean durable() {
                return true;
            }

            @Override
            public boolean accept(SeriesId series, Point point) {
                String path = GraphiteNames.of(series);
                return true;
            }
        };
        assertThrows(IllegalArgumentException.class, () -> new QueuedTarget(durable, 10));
    }
}
