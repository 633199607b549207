package dev.riffle.graph;

import dev.riffle.core.Point;
import dev.riffle.core.PointTarget;
import dev.riffle.core.SeriesId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An at-most-once target fed through a bounded queue on a thread of its own, so that its work (the graphs store
 * indexing 300k+ points a window at 150k series) never holds up the sink's consumer and its carbon writes. When
 * the queue is full a point is dropped for this target only, and counted; carbon and the other targets still get
 * it.
 */
public final class QueuedTarget implements PointTarget {
    private static final Logger log = LoggerFactory.getLogger(QueuedTarget.class);
    private static final int DRAIN = 4_096;

    private record Entry(SeriesId series, Point point) {
    }

    private final PointTarget inner;
    private final ArrayBlockingQueue<Entry> queue;
    private final LongAdder dropped = new LongAdder();
    private final Thread thread;
    private volatile boolean running = true;
    private long lastDropLog;

    /** @param capacity the most points waiting (each about 100 bytes with its path) */
    public QueuedTarget(PointTarget inner, int capacity) {
        if (inner.durable()) {
            throw new IllegalArgumentException(inner.name() + " must see every point: it cannot be fed at most once");
        }
        this.inner = inner;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, "riffle-" + inner.name() + "-feed");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean accept(SeriesId series, Point point) {
        if (!running) {
            return true; // closed at shutdown, before the sink: nothing reads the queue any more
        }
        if (!queue.offer(new Entry(series, point))) {
            dropped.increment();
            long now = System.currentTimeMillis(); // only to bound the log's rate
            if (now - lastDropLog >= 60_000) {
                lastDropLog = now;
                log.warn("{} falls behind: {} points dropped for it so far (carbon and the other targets get them)",
                        inner.name(), dropped.sum());
            }
        }
        return true;
    }

    /** Points dropped for this target because its queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    /** Points waiting. */
    public int waiting() {
        return queue.size();
    }

    /** Stops the feeding thread after what is queued (at most a second). */
    public void close() {
        running = false;
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Entry> batch = new ArrayList<>(DRAIN);
        while (running || !queue.isEmpty()) {
            try {
                Entry first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, DRAIN - 1);
                for (Entry e : batch) {
                    inner.accept(e.series(), e.point());
                }
                inner.flush();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("{} failed on a point: {}", inner.name(), e.toString()); // one bad point, not the thread
            } finally {
                batch.clear();
            }
        }
    }
}
