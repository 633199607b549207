package dev.riffle.alert;

import java.nio.charset.StandardCharsets;

/**
 * What the evaluator keeps per (rule, series), stored as {@code 1|status|since|lastTrue|lastSeen|value}
 * (version first).
 *
 * @param sinceMs    when pending started (PENDING) or firing started (FIRING)
 * @param lastTrueMs the last window the condition held (threshold rules)
 * @param lastSeenMs the last window of the series
 */
record SeriesState(Status status, long sinceMs, long lastTrueMs, long lastSeenMs, double value) {
    enum Status { INACTIVE, PENDING, FIRING }

    private static final String VERSION = "1";

    byte[] encode() {
        return (VERSION + "|" + status.ordinal() + "|" + sinceMs + "|" + lastTrueMs + "|" + lastSeenMs + "|" + value)
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** @return null when the bytes are not a state this version knows (the caller counts and drops it) */
    static SeriesState decode(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        String[] f = new String(bytes, StandardCharsets.US_ASCII).split("\\|");
        if (f.length != 6 || !f[0].equals(VERSION)) {
            return null;
        }
        try {
            return new SeriesState(Status.values()[Integer.parseInt(f[1])], Long.parseLong(f[2]), Long.parseLong(f[3]),
                    Long.parseLong(f[4]), Double.parseDouble(f[5]));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
