package dev.riffle.alert;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/** The evaluator's figures for the status line; thread-safe (stream threads write, the status thread reads). */
final class AlertCounters {
    /** the lag shown is the largest of the points evaluated in the last one to two of these spans of wall time */
    static final long LAG_SPAN_MS = 5_000;
    private final AtomicLong points = new AtomicLong();
    private final AtomicLong eventRecords = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong firing = new AtomicLong();
    private final AtomicLong resolved = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong lastMalformedLog = new AtomicLong();
    private final Set<PointEvaluator> evaluators = ConcurrentHashMap.newKeySet();
    /** a point evaluated this long or longer after its time (its window's start) is counted as behind */
    private final long behindMs;
    private final LongSupplier wallClock;
    private final AtomicLong behind = new AtomicLong();
    /** the lag's high-water marks of the current and the previous span of wall time (guarded by this) */
    private long lagSpan;
    private long lagMax;
    private long lagMaxBefore;

    /** Counters of an evaluator whose windows are 5 s long (tests). */
    AlertCounters() {
        this(10_000, System::currentTimeMillis);
    }

    /**
     * @param behindMs  points evaluated this long or longer after their time count as behind (two windows: the
     *                  issue's bound)
     * @param wallClock milliseconds of wall time (tests give their own)
     */
    AlertCounters(long behindMs, LongSupplier wallClock) {
        this.behindMs = behindMs;
        this.wallClock = wallClock;
    }

    long now() {
        return wallClock.getAsLong();
    }

    long behindMs() {
        return behindMs;
    }

    /**
     * Notes a record's points as evaluated at {@code nowMs}: the oldest point's time (its window start) gives the
     * lag, {@code behindCount} of them were {@link #behindMs} or more behind. One call per record, not per point.
     */
    void evaluated(long nowMs, long oldestPointMs, int behindCount) {
        if (behindCount > 0) {
            behind.addAndGet(behindCount);
        }
        long lag = Math.max(0, nowMs - oldestPointMs);
        synchronized (this) {
            roll(nowMs);
            lagMax = Math.max(lagMax, lag);
        }
    }

    /** Moves the spans on to the one {@code nowMs} lies in; a span with no point leaves a high-water mark of 0. */
    private void roll(long nowMs) {
        long span = Math.floorDiv(nowMs, LAG_SPAN_MS);
        if (span != lagSpan) {
            lagMaxBefore = span == lagSpan + 1 ? lagMax : 0;
            lagMax = 0;
            lagSpan = span;
        }
    }

    /** The largest lag (ms) of the points evaluated in this span of wall time and the one before; 0 if none. */
    synchronized long recentLagMs() {
        roll(wallClock.getAsLong());
        return Math.max(lagMax, lagMaxBefore);
    }

    /** Points evaluated {@link #behindMs} or more after their time, since the start. */
    long behind() {
        return behind.get();
    }

    void pointEvaluated() {
        points.incrementAndGet();
    }

    void eventRecordEvaluated() {
        eventRecords.incrementAndGet();
    }

    long eventRecords() {
        return eventRecords.get();
    }

    void transition(Transition.Status status) {
        switch (status) {
            case FIRING -> firing.incrementAndGet();
            case RESOLVED -> resolved.incrementAndGet();
            default -> pending.incrementAndGet();
        }
    }

    /** Counts bad input and logs it at most once every 10 s. */
    void malformed(Logger log, String what, RuntimeException e) {
        long n = malformed.incrementAndGet();
        long now = System.nanoTime();
        long last = lastMalformedLog.get();
        if ((last == 0 || now - last > 10_000_000_000L) && lastMalformedLog.compareAndSet(last, now)) {
            log.warn("skipping a malformed {} ({} so far): {}", what, n, e.getMessage());
        }
    }

    void register(PointEvaluator e) {
        evaluators.add(e);
    }

    void unregister(PointEvaluator e) {
        evaluators.remove(e);
    }

    long points() {
        return points.get();
    }

    long firing() {
        return firing.get();
    }

    long resolved() {
        return resolved.get();
    }

    long malformed() {
        return malformed.get();
    }

    String status() {
        long tracked = 0;
        long untracked = 0;
        long matched = 0;
        long emptied = 0;
        for (PointEvaluator e : evaluators) {
            tracked += e.tracked();
            untracked += e.untracked();
            matched += e.matcher().cached();
            emptied += e.matcher().clears();
        }
        return "points " + points.get() + ", event records " + eventRecords.get() + ", firing " + firing.get()
                + ", resolved " + resolved.get()
                + ", pending/inactive " + pending.get() + ", series tracked " + tracked + ", untracked " + untracked
                + ", malformed " + malformed.get() + ", lag " + recentLagMs() + " ms, points " + behindMs / 1000
                + "+ s behind " + behind.get() + ", match cache " + matched
                + (emptied == 0 ? "" : " (emptied " + emptied + " times when full: raise alerts.match_cache)");
    }
}
