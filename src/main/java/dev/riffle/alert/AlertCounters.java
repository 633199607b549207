package dev.riffle.alert;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/** The evaluator's figures for the status line; thread-safe (stream threads write, the status thread reads). */
final class AlertCounters {
    private final AtomicLong points = new AtomicLong();
    private final AtomicLong eventRecords = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong firing = new AtomicLong();
    private final AtomicLong resolved = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong lastMalformedLog = new AtomicLong();
    private final Set<PointEvaluator> evaluators = ConcurrentHashMap.newKeySet();

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
                + ", malformed " + malformed.get() + ", match cache " + matched
                + (emptied == 0 ? "" : " (emptied " + emptied + " times when full: raise alerts.match_cache)");
    }
}
