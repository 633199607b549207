package dev.riffle.ingest;

/**
 * The memory bound between the listeners and Kafka: bytes handed to the producer and not yet acknowledged.
 * UDP asks without waiting and drops when it is full; TCP waits, which stops it reading its socket, so the
 * client feels the backpressure instead of the bridge's heap growing.
 *
 * <p>One batch is always let through when nothing is outstanding, so a batch larger than the bound cannot wait
 * forever; the bound therefore holds to within one batch.
 */
final class Backlog {
    private final long limit;
    private long used;
    private boolean closed;

    Backlog(long limit) {
        this.limit = limit;
    }

    synchronized boolean tryReserve(long bytes) {
        if (closed || (used > 0 && used + bytes > limit)) {
            return false;
        }
        used += bytes;
        return true;
    }

    /** Waits until the bytes fit; false when the backlog was closed meanwhile. */
    synchronized boolean reserve(long bytes) throws InterruptedException {
        while (!closed && used > 0 && used + bytes > limit) {
            wait(1_000);
        }
        if (closed) {
            return false;
        }
        used += bytes;
        return true;
    }

    synchronized void release(long bytes) {
        used -= bytes;
        notifyAll();
    }

    synchronized long used() {
        return used;
    }

    synchronized boolean closed() {
        return closed;
    }

    /** Wakes every waiter; later reservations fail. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }
}
