package dev.riffle.ingest;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge as the pipeline's clock: writes its watermark into every partition of the events topic as tick
 * records, through the same producer as the events, so that a tick follows every event received before it.
 *
 * <p>Every {@value #TICK_MS} ms it takes the {@link ArrivalClock}'s safe time (no listener holds anything
 * older unpublished). A tick is written when the watermark passes the point where a window closes (its end plus
 * the grace), so a partition carries about one small record per window, live or quiet, and the topology closes
 * windows right after; and when the bridge stops cleanly, a goodbye. The watermark never goes back.
 *
 * <p>A stall of the whole process (a long GC pause, SIGSTOP, a suspended VM) is seen as the ticker's own
 * oversleep. What the kernel queued meanwhile arrived on time but is stamped only now, and clients that wait for
 * answers (or for room in the socket) held back what they made meanwhile, so the watermark is held at the stall's
 * start until every lane has caught up ({@link ArrivalClock#caughtUp}: a TCP client has handed over an event
 * stamped after the stall's end, other input was read to its end), for at most the stall's length plus the grace
 * after its end, and never more than {@value #MAX_HOLD_MS} ms. Without a stall no client holds the watermark.
 */
final class Watermarks implements AutoCloseable {
    static final long TICK_MS = 200;
    static final long STALL_MS = 2 * TICK_MS + 100;
    static final long SETTLE_MS = 250;
    static final long MAX_HOLD_MS = 10_000;
    private static final Logger log = LoggerFactory.getLogger(Watermarks.class);

    /** Where ticks go: to every partition of the events topic. */
    interface Out {
        void tick(long watermarkMicros, boolean bye);
    }

    private final ArrivalClock clock;
    private final Out out;
    private final long windowMicros;
    private final long graceMicros;
    private ScheduledExecutorService thread;
    private long lastRun = Long.MIN_VALUE;
    private long lastEnd = Long.MIN_VALUE;
    private long watermark = Long.MIN_VALUE;
    private long sentBoundary = Long.MIN_VALUE;
    private boolean holding;
    private long holdAt;
    private long resumedAt;
    /** how long after resumedAt the hold may last: the stall's length plus the grace, at most MAX_HOLD_MS */
    private long holdLimit;
    private volatile long published = Long.MIN_VALUE;
    private volatile long current = Long.MIN_VALUE;
    private volatile long stalls;
    private long failures;
    private long lastWarning = System.nanoTime() - 20_000_000_000L;

    Watermarks(ArrivalClock clock, Out out, long windowMs, long graceMs) {
        this.clock = clock;
        this.out = out;
        this.windowMicros = windowMs * 1000L;
        this.graceMicros = graceMs * 1000L;
    }

    void start() {
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "riffle-bridge-ticks");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(() -> {
            try {
                tick(clock.nowMicros());
            } catch (RuntimeException e) { // Kafka away: the next round tries again; say so at most every 10 s
                failures++;
                long now = System.nanoTime();
                if (now - lastWarning > 10_000_000_000L) {
                    lastWarning = now;
                    log.warn("writing ticks to the events topic fails ({} times so far): {}", failures, e.toString());
                }
            }
        }, 0, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** One round of the ticker at {@code now}; returns the watermark. */
    synchronized long tick(long now) {
        try {
            return round(now);
        } finally {
            lastEnd = clock.nowMicros(); // a round slowed by Kafka (metadata, up to 1 s) is not a stall
        }
    }

    private long round(long now) {
        if (lastEnd != Long.MIN_VALUE && now - lastEnd > STALL_MS * 1000L) {
            if (!holding) {
                holdAt = lastRun;
            }
            holding = true;
            resumedAt = now;
            // a stall during a hold counts from the first one's start: its clients held back all along
            holdLimit = Math.min(now - holdAt + graceMicros, MAX_HOLD_MS * 1000L);
            stalls++;
            log.warn("the bridge was stopped for {} ms (a GC pause or SIGSTOP?): the watermark stays at the stall's"
                    + " start until every listener has read what queued and every TCP client has sent what it held"
                    + " back meanwhile, at most {} ms", (now - lastEnd) / 1000, holdLimit / 1000);
        }
        lastRun = now;
        long w = clock.safeMicros(now);
        if (holding) {
            if (clock.caughtUp(resumedAt, SETTLE_MS * 1000L, now)) {
                holding = false;
                log.info("every listener caught up {} ms after the stall: the watermark moves on",
                        (now - resumedAt) / 1000);
            } else if (now - resumedAt >= holdLimit) {
                holding = false;
                log.warn("listeners not caught up {} ms after the stall (its length plus the grace, at most {} ms):"
                        + " the watermark moves on; what a client still holds from before may be late",
                        (now - resumedAt) / 1000, MAX_HOLD_MS);
            } else {
                w = Math.min(w, holdAt);
            }
        }
        watermark = Math.max(watermark, w);
        current = watermark;
        long boundary = Math.floorDiv(watermark - graceMicros, windowMicros);
        if (watermark != Long.MIN_VALUE && boundary != sentBoundary) {
            out.tick(watermark, false);
            sentBoundary = boundary;
            published = watermark;
        }
        return watermark;
    }

    /** The last watermark written (microseconds), MIN before the first. */
    long published() {
        return published;
    }

    /** The watermark as of the last round (microseconds), written or not; MIN before the first. */
    long current() {
        return current;
    }

    long stalls() {
        return stalls;
    }

    /**
     * Stops ticking and says goodbye: call once every listener is closed and has handed over what it held, so
     * the goodbye follows every event (its time is the final watermark).
     */
    @Override
    public void close() {
        if (thread != null) {
            thread.shutdownNow();
            try {
                thread.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            long now = clock.nowMicros();
            watermark = Math.max(watermark, clock.safeMicros(now));
            out.tick(watermark, true);
            published = watermark;
        }
    }
}
