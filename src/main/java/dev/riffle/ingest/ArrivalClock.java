package dev.riffle.ingest;

import dev.riffle.core.Event;
import java.util.List;
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
 * <p>After a stall of the whole process, {@link #caughtUp} tells when every lane is past it. A lane of a TCP
 * connection ({@link #streamLane}) also says what it hands over ({@link Lane#handed}: the newest event time its
 * client stamped) and whether it owes its client answers ({@link Lane#owing}, {@link Lane#replied}): such a
 * client may have held its input back while the process was stopped (waiting for an answer, or for room in the
 * socket), so its lane has caught up only once it handed over an event stamped after the stall's end. A client
 * sends in order, so everything it made during the stall was handed over before.
 *
 * <p>The one race that matters: the ticker reads "now" and sees a lane with nothing unpublished, while that
 * lane takes a stamp older than that "now" for input it is about to publish. A lane therefore marks itself
 * busy before it reads the clock, and a ticker that sees it in that instant does not move on; any stamp taken
 * after the ticker saw the lane idle is at least the ticker's "now".
 */
final class ArrivalClock {
    /**
     * Input gathered into one hand-over shares the receive stamp of its oldest part (UDP's receive chunks and
     * gatherer, JSON lines): input read more than this long after that stamp starts a new hand-over instead, so what
     * was read after a stall never takes a stamp from before it (its events would look seconds ahead of their
     * arrival). Above the longest UDP gathering time, far below the grace.
     */
    static final long MAX_SHARED_STAMP_MICROS = 250_000;
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

    /** A lane whose input was all in the kernel when the process stopped: UDP, the bridge's own figures. */
    Lane lane() {
        return add(new Lane(false));
    }

    /** A TCP connection's lane: its client may hold input back while the bridge does not answer or read. */
    Lane streamLane() {
        return add(new Lane(true));
    }

    private Lane add(Lane lane) {
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
     * Whether every lane has caught up after a stall of the whole process that ended at {@code resumedMicros}
     * (see {@link Lane#caughtUp}), and no pending source still holds input stamped within the settle time.
     */
    boolean caughtUp(long resumedMicros, long settleMicros, long nowMicros) {
        for (Lane lane : lanes) {
            if (!lane.caughtUp(resumedMicros, settleMicros, nowMicros)) {
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
        /** a TCP connection's: its client may hold input back (see {@link #caughtUp}) */
        private final boolean stream;
        /** IDLE: nothing unpublished; else the oldest unpublished stamp; ENTERING: taking one right now */
        private volatile long state = IDLE;
        private volatile long idleSince = Long.MIN_VALUE;
        private volatile long lastDrained = Long.MIN_VALUE;
        /** receive stamp of the latest input read (stream lanes only) */
        private volatile long lastArrived = Long.MIN_VALUE;
        /** the newest event time handed over, as its client stamped it */
        private volatile long newestEvent = Long.MIN_VALUE;
        private volatile long lastReplied = Long.MIN_VALUE;
        private volatile boolean owing;

        private Lane(boolean stream) {
            this.stream = stream;
        }

        /** The receive stamp for input just read (microseconds). */
        long arrive() {
            long now;
            if (state != IDLE) {
                now = clockMicros.getAsLong(); // older input is still unpublished: it holds the lane
            } else {
                state = ENTERING;
                now = clockMicros.getAsLong();
                state = now;
            }
            if (stream) {
                lastArrived = now;
            }
            return now;
        }

        /**
         * These events (as the intake passed them on) are with the producer or on their way: remembers the newest
         * time their client gave them. Call before {@link #published}.
         */
        void handed(List<Event> events) {
            long newest = newestEvent;
            for (Event e : events) {
                newest = Math.max(newest, e.timeMicros());
            }
            if (newest > newestEvent) {
                newestEvent = newest;
            }
        }

        /** The client is owed answers (true from reading a request until its answer is written), or not. */
        void owing(boolean owes) {
            if (owing != owes) {
                owing = owes;
            }
        }

        /** An answer was just written to the client: it may send what it held back for it. */
        void replied() {
            lastReplied = clockMicros.getAsLong();
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

        /**
         * Whether this lane is past a stall that ended at {@code resumed} (what it still holds unpublished holds the
         * watermark anyway):
         * <ul>
         * <li>a TCP connection: it handed over an event stamped at or after {@code resumed} (its client is past
         *     the stall, and sends in order); or it holds nothing, read nothing since {@code resumed}, owes its
         *     client no answer, and the client has had {@code settle} since then and since its last answer to
         *     send something;</li>
         * <li>another lane (all its input was in the kernel): it found its input empty since {@code resumed}, or it
         *     held nothing through the stall and nothing woke it within {@code settle}.</li>
         * </ul>
         */
        private boolean caughtUp(long resumed, long settle, long now) {
            if (stream) {
                return newestEvent >= resumed || (state == IDLE && lastArrived < resumed && !owing
                        && now >= Math.max(resumed, lastReplied) + settle);
            }
            return lastDrained >= resumed || (state == IDLE && idleSince < resumed && now >= resumed + settle);
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
