package dev.riffle.ingest;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The bridge's receive clock, and how far it is safe to say "everything received before T is in Kafka".
 *
 * <p>Every listener thread holds a {@link Lane}. It takes its receive stamps from the lane ({@link Lane#arrive}),
 * says when it has handed everything stamped to the Kafka producer ({@link Lane#published}), and when it found
 * its input empty ({@link Lane#drained}). Hand-overs between threads (UDP's receive chunks, the gatherer) are
 * {@link Pending} sources: the oldest stamp they still hold. {@link #safeMicros} is then the minimum over all:
 * a lane with nothing unpublished counts as "now", a busy one as its oldest unpublished stamp.
 *
 * <p>The one race that matters: the ticker reads "now" and sees a lane with nothing unpublished, while that
 * lane takes a stamp older than that "now" for input it is about to publish. A lane therefore marks itself
 * busy before it reads the clock, and a ticker that sees it in that instant does not move on; any stamp taken
 * after the ticker saw the lane idle is at least the ticker's "now".
 */
final class ArrivalClock {
    private static final long IDLE = Long.MAX_VALUE;
    /** while a lane reads the clock: nothing is safe (the minimum of anything) */
    private static final long ENTERING = Long.MIN_VALUE;

    /** What a hand-over still holds: the oldest receive stamp in it, or {@code Long.MAX_VALUE} when empty. */
    interface Pending {
        long oldestMicros();
    }

    private final LongSupplier clockMicros;
    private final Set<Lane> lanes = ConcurrentHashMap.newKeySet();
    private final Set<Pending> pending = ConcurrentHashMap.newKeySet();

    ArrivalClock() {
        this(() -> System.currentTimeMillis() * 1000L);
    }

    /** For tests, with a clock they move. */
    ArrivalClock(LongSupplier clockMicros) {
        this.clockMicros = clockMicros;
    }

    long nowMicros() {
        return clockMicros.getAsLong();
    }

    Lane lane() {
        Lane lane = new Lane();
        lanes.add(lane);
        return lane;
    }

    void add(Pending source) {
        pending.add(source);
    }

    void remove(Pending source) {
        pending.remove(source);
    }

    /**
     * The latest time T such that everything received before T has been handed to the producer; at most
     * {@code nowMicros}. Lanes are read before pending sources, as the UDP listener hands a stamp from its
     * lane to its pending chunks before the lane goes idle.
     */
    long safeMicros(long nowMicros) {
        long safe = nowMicros;
        for (Lane lane : lanes) {
            safe = Math.min(safe, lane.oldest());
        }
        for (Pending p : pending) {
            safe = Math.min(safe, p.oldestMicros());
        }
        return safe;
    }

    /**
     * Whether every lane has caught up after a stall of the whole process that ended at {@code resumedMicros}:
     * it found its input empty since then, or it stayed idle through the stall and nothing woke it within
     * {@code settleMicros}; and no pending source still holds input stamped within the settle time.
     */
    boolean caughtUp(long resumedMicros, long settleMicros, long nowMicros) {
        for (Lane lane : lanes) {
            boolean drained = lane.lastDrained >= resumedMicros;
            boolean quiet = lane.state == IDLE && lane.idleSince < resumedMicros
                    && nowMicros >= resumedMicros + settleMicros;
            if (!drained && !quiet) {
                return false;
            }
        }
        for (Pending p : pending) {
            if (p.oldestMicros() < resumedMicros + settleMicros) {
                return false;
            }
        }
        return true;
    }

    /** One listener thread's receive stamps. Used by that thread only, read by the ticker. */
    final class Lane implements AutoCloseable {
        /** IDLE: nothing unpublished; else the oldest unpublished stamp; ENTERING: taking one right now */
        private volatile long state = IDLE;
        private volatile long idleSince = Long.MIN_VALUE;
        private volatile long lastDrained = Long.MIN_VALUE;

        /** The receive stamp for input just read (microseconds). */
        long arrive() {
            if (state != IDLE) {
                return clockMicros.getAsLong(); // older input is still unpublished: it holds the lane
            }
            state = ENTERING;
            long now = clockMicros.getAsLong();
            state = now;
            return now;
        }

        /** Everything stamped so far is with the producer (or refused and counted). */
        void published() {
            if (state != IDLE) {
                idleSince = clockMicros.getAsLong();
                state = IDLE;
            }
        }

        /** The input was found empty (about to wait for more). */
        void drained() {
            lastDrained = clockMicros.getAsLong();
        }

        /** ENTERING: the stamp being taken is unknown, so nothing is safe this time (the ticker tries again). */
        private long oldest() {
            return state;
        }

        @Override
        public void close() {
            lanes.remove(this);
        }
    }
}
