package dev.riffle.alert;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the evaluator keeps per (rule, series). A series' store entry holds every rule's state of it; it is
 * written in the binary version 3 ({@link #encodeAll}) and entries of the text version 2 (each state
 * {@code 1|status|since|lastTrue|lastSeen|value}) are still read, so a changelog written before stays good.
 *
 * @param sinceMs    when pending started (PENDING) or firing started (FIRING)
 * @param lastTrueMs the last window the condition held (threshold rules)
 * @param lastSeenMs the last window of the series
 */
record SeriesState(Status status, long sinceMs, long lastTrueMs, long lastSeenMs, double value) {
    enum Status { INACTIVE, PENDING, FIRING }

    private static final String VERSION = "1";
    /** the text format of a series' entry (every rule's state of it), read only */
    private static final String ALL_VERSION = "2";
    /** the binary format of a series' entry, written */
    private static final byte BINARY_VERSION = 3;
    /** a state's bytes besides its rule name: the name's length, status, three times, value */
    private static final int STATE_BYTES = 1 + 1 + 3 * Long.BYTES + Double.BYTES;
    private static final Status[] STATUSES = Status.values();

    /**
     * Version 3, binary, big-endian: the byte 3, then per state: the rule name's length (1 byte; names are 1 to 100
     * ASCII characters), the name, the status (1 byte), since, lastTrue, lastSeen (8 bytes each), the value (an
     * IEEE double, 8 bytes). 36 bytes and the name per state; no number is formatted or parsed.
     */
    static byte[] encodeAll(Map<String, SeriesState> states) {
        int size = 1;
        for (String rule : states.keySet()) {
            size += STATE_BYTES + rule.length();
        }
        ByteBuffer b = ByteBuffer.allocate(size).put(BINARY_VERSION);
        states.forEach((rule, s) -> {
            b.put((byte) rule.length());
            for (int i = 0; i < rule.length(); i++) {
                b.put((byte) rule.charAt(i));
            }
            b.put((byte) s.status.ordinal()).putLong(s.sinceMs).putLong(s.lastTrueMs).putLong(s.lastSeenMs)
                    .putDouble(s.value);
        });
        return b.array();
    }

    /** @return null when the bytes are not a series entry of a version this code knows (version 3 or 2) */
    static Map<String, SeriesState> decodeAll(byte[] bytes) {
        if (bytes.length > 0 && bytes[0] == BINARY_VERSION) {
            return decodeBinary(bytes);
        }
        return decodeText(bytes);
    }

    private static Map<String, SeriesState> decodeBinary(byte[] bytes) {
        Map<String, SeriesState> out = new LinkedHashMap<>(4);
        int at = 1;
        while (at < bytes.length) {
            int length = bytes[at] & 0xff;
            if (length == 0 || at + 1 + length + STATE_BYTES - 1 > bytes.length) {
                return null;
            }
            String rule = new String(bytes, at + 1, length, StandardCharsets.US_ASCII);
            ByteBuffer b = ByteBuffer.wrap(bytes, at + 1 + length, STATE_BYTES - 1);
            int status = b.get();
            if (status < 0 || status >= STATUSES.length) {
                return null;
            }
            out.put(rule, new SeriesState(STATUSES[status], b.getLong(), b.getLong(), b.getLong(), b.getDouble()));
            at += length + STATE_BYTES;
        }
        return out;
    }

    /** {@code 2;rule|status|since|lastTrue|lastSeen|value;rule|...} (rule names have no ';' or '|'). */
    private static Map<String, SeriesState> decodeText(byte[] bytes) {
        String[] parts = new String(bytes, StandardCharsets.US_ASCII).split(";");
        if (!parts[0].equals(ALL_VERSION)) {
            return null;
        }
        Map<String, SeriesState> out = new LinkedHashMap<>(parts.length * 2);
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

    /** @return null when the bytes are not a state this version knows (the caller counts and drops it) */
    private static SeriesState decode(byte[] bytes) {
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
