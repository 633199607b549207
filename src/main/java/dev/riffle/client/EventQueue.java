package dev.riffle.client;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The only thing the application's threads touch: a bounded, lock-free queue of events. An offer never waits
 * and never throws; when the queue is full (or closed) the event is dropped and counted.
 */
final class EventQueue {
    private final ConcurrentLinkedQueue<PendingEvent> events = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;
    private final int wakeAt;
    private final ClientCounters counters;
    private volatile Thread consumer;
    private volatile boolean closed;

    EventQueue(int capacity, ClientCounters counters) {
        this.capacity = capacity;
        this.wakeAt = Math.max(1, capacity / 2);
        this.counters = counters;
    }

    /** The thread that drains the queue; it is woken early when the queue is half full. */
    void consumer(Thread thread) {
        this.consumer = thread;
    }

    void offer(Series series, double metric) {
        boolean reserved = false;
        try {
            if (!Double.isFinite(metric)) {
                counters.invalid.increment(); // the bridge would refuse it; better to say so here
                return;
            }
            int n = size.incrementAndGet();
            reserved = true;
            if (n > capacity || closed) {
                size.decrementAndGet();
                counters.dropped.increment();
                return;
            }
            events.offer(new PendingEvent(series, metric, System.currentTimeMillis() * 1000L));
            if (n == wakeAt) {
                LockSupport.unpark(consumer); // a burst: send now rather than at the next flush
            }
        } catch (Throwable t) {
            // even an OutOfMemoryError here must not reach the application through a metric call
            try {
                if (reserved) {
                    size.decrementAndGet();
                }
                counters.dropped.increment();
            } catch (Throwable ignored) {
                // nothing left to do without risking the caller
            }
        }
    }

    PendingEvent poll() {
        PendingEvent e = events.poll();
        if (e != null) {
            size.decrementAndGet();
        }
        return e;
    }

    int size() {
        return size.get();
    }

    void close() {
        closed = true;
    }
}
