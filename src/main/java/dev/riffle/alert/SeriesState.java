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
    /** the format of a series' entry: every rule's state of it */
    private static final String ALL_VERSION = "2";

    /** {@code 2;rule|status|since|lastTrue|lastSeen|value;rule|...} (rule names have no ';' or '|'). */
    static byte[] encodeAll(java.util.Map<String, SeriesState> states) {
        StringBuilder b = new StringBuilder(16 + 48 * states.size()).append(ALL_VERSION);
        states.forEach((rule, s) -> b.append(';').append(rule).append('|').append(s.status.ordinal()).append('|')
                .append(s.sinceMs).append('|').append(s.lastTrueMs).append('|').append(s.lastSeenMs).append('|')
                .append(s.value));
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** @return null when the bytes are not a series entry this version knows */
    static java.util.Map<String, SeriesState> decodeAll(byte[] bytes) {
        String[] parts = new String(bytes, StandardCharsets.US_ASCII).split(";");
        if (!parts[0].equals(ALL_VERSION)) {
            return null;
        }
        java.util.Map<String, SeriesState> out = new java.util.LinkedHashMap<>(parts.length * 2);
        for (int i = 1; i < parts.length; i++) {
            int bar = parts[i].indexOf('|');
            SeriesState s = bar < 0 ? null : decode((VERSION + parts[i].substring(bar))
                    .getBytes(StandardCharsets.US_ASCII));
            if (s == null) {
                return null;
            }
            out.put(parts[i].substring(0, bar), s);
        }
        return out;
    }

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
