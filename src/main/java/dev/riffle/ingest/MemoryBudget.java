package dev.riffle.ingest;

import java.util.EnumMap;
import java.util.Map;

/**
 * Every byte the bridge holds for its clients, in one bound ({@code ingest.memory_bytes}), so that no mix of
 * clients, however hostile, can take the heap that the bridge shares with an in-process broker and the topology.
 *
 * <p>Three uses draw from it:
 * <ul>
 * <li>{@link Use#BUFFERS}: each TCP connection's read and reply buffers and an allowance for decoding what fits in
 *     them, charged when it is accepted (always granted: their number is bounded by the connection limit);</li>
 * <li>{@link Use#FRAMES}: TCP frames and JSON lines in progress beyond a connection's own buffer, charged as
 *     their bytes arrive (never at the announced size), and the decoded events of a frame until they are handed
 *     to Kafka; at most half of the budget, so frames in progress can never starve publishing;</li>
 * <li>{@link Use#UNACKED}: events handed to the Kafka producer and not yet acknowledged.</li>
 * </ul>
 * UDP asks without waiting and drops (counted) when there is no room; TCP waits, which stops it reading its socket,
 * so a client feels backpressure instead of the bridge's heap growing.
 *
 * <p>A reservation for unacknowledged events is always let through when no events are unacknowledged, so that
 * publishing can never be starved by buffers and frames, nor a single Msg larger than the room left wait for ever;
 * the bound therefore holds to within one Msg's records.
 */
final class MemoryBudget {
    /** What the bytes are for; each is shown apart in the status line. */
    enum Use { BUFFERS, FRAMES, UNACKED }

    private final long limit;
    private final long framesLimit;
    private final Map<Use, Long> used = new EnumMap<>(Use.class);
    private long total;
    private long peak;
    private boolean closed;

    MemoryBudget(long limit) {
        this.limit = limit;
        this.framesLimit = limit / 2;
        for (Use u : Use.values()) {
            used.put(u, 0L);
        }
    }

    long limit() {
        return limit;
    }

    private boolean fits(Use use, long bytes) {
        if (total == 0 || (use == Use.UNACKED && used.get(Use.UNACKED) == 0)) {
            return true; // publishing always makes progress, whatever buffers and frames hold
        }
        return total + bytes <= limit && (use != Use.FRAMES || used.get(Use.FRAMES) + bytes <= framesLimit);
    }

    private void take(Use use, long bytes) {
        used.merge(use, bytes, Long::sum);
        total += bytes;
        peak = Math.max(peak, total);
    }

    synchronized boolean tryReserve(Use use, long bytes) {
        if (closed || !fits(use, bytes)) {
            return false;
        }
        take(use, bytes);
        return true;
    }

    /** Waits until the bytes fit; false when the budget was closed meanwhile. */
    synchronized boolean reserve(Use use, long bytes) throws InterruptedException {
        while (!closed && !fits(use, bytes)) {
            wait(1_000);
        }
        if (closed) {
            return false;
        }
        take(use, bytes);
        return true;
    }

    /** Waits at most {@code timeoutMillis} for the bytes to fit; false when they did not, or the budget closed. */
    synchronized boolean reserve(Use use, long bytes, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!closed && !fits(use, bytes)) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        if (closed) {
            return false;
        }
        take(use, bytes);
        return true;
    }

    /**
     * For a frame or line in progress: waits while the budget is full because Kafka is behind (backpressure, as
     * long as it takes), but gives up after {@code graceMillis} when it is the frames' own share that stays full
     * (frames in progress can only free it by completing, so waiting could last for ever).
     *
     * @return false when the frames' share stayed full that long, or the budget closed
     */
    synchronized boolean reserveFrame(long bytes, long graceMillis) throws InterruptedException {
        long deadline = System.nanoTime() + graceMillis * 1_000_000L;
        while (!closed && !fits(Use.FRAMES, bytes)) {
            if (used.get(Use.FRAMES) + bytes > framesLimit) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return false;
                }
                wait(left);
            } else {
                deadline = System.nanoTime() + graceMillis * 1_000_000L;
                wait(1_000);
            }
        }
        if (closed) {
            return false;
        }
        take(Use.FRAMES, bytes);
        return true;
    }

    /**
     * Takes bytes whatever is held: for what is bounded by other means and must not be refused for lack of room
     * (a connection's buffers: their number is bounded by {@code ingest.tcp_max_connections}).
     */
    synchronized void force(Use use, long bytes) {
        take(use, bytes);
    }

    synchronized void release(Use use, long bytes) {
        if (bytes == 0) {
            return;
        }
        used.merge(use, -bytes, Long::sum);
        total -= bytes;
        notifyAll();
    }

    synchronized long used() {
        return total;
    }

    synchronized long used(Use use) {
        return used.get(use);
    }

    /** The most ever held at once. */
    synchronized long peak() {
        return peak;
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
