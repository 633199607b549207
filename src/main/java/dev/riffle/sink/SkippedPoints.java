package dev.riffle.sink;

import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Points the sink could not write, counted by reason and logged at most once a minute with an example. */
final class SkippedPoints {
    private static final Logger log = LoggerFactory.getLogger(SkippedPoints.class);
    private static final long LOG_EVERY_MS = 60_000;

    enum Reason {
        /** the record is not a points record this Riffle reads (a garbled one, an unknown version) */
        MALFORMED("malformed"),
        /** a point in the format before batches (JSON keyed by its path): refused, see README Upgrading */
        OLD_FORMAT("old-format"),
        /** NaN or infinite value */
        NOT_FINITE("not-finite"),
        /** nothing left of the path after sanitising, or too long for carbon's files */
        BAD_PATH("bad-path");

        final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    private final Map<Reason, LongAdder> counts = new EnumMap<>(Reason.class);
    private long lastLogMillis = -LOG_EVERY_MS;

    SkippedPoints() {
        for (Reason r : Reason.values()) {
            counts.put(r, new LongAdder());
        }
    }

    /** Called by the sink thread only. */
    void count(Reason reason, String example) {
        counts.get(reason).increment();
        long now = System.currentTimeMillis();
        if (now - lastLogMillis >= LOG_EVERY_MS) {
            lastLogMillis = now;
            log.warn("skipping points that carbon cannot store ({}); latest: {} {}", summary(), reason.label,
                    example.length() > 200 ? example.substring(0, 200) + "..." : example);
        }
    }

    long count(Reason reason) {
        return counts.get(reason).sum();
    }

    long total() {
        long n = 0;
        for (LongAdder a : counts.values()) {
            n += a.sum();
        }
        return n;
    }

    /** {@code not-finite 2, bad-path 1}, reasons with a zero count left out. */
    String summary() {
        StringJoiner out = new StringJoiner(", ");
        counts.forEach((r, n) -> {
            if (n.sum() > 0) {
                out.add(r.label + " " + n.sum());
            }
        });
        return out.toString();
    }
}
