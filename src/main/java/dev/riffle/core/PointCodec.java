package dev.riffle.core;

import java.nio.charset.StandardCharsets;

/**
 * The value format of the points topic: {@code {"value":2.0,"time":1700000000}} (key = Graphite path).
 * Written by the topology, read by the sink; kept tiny because every window of every path is one record.
 */
public final class PointCodec {
    private PointCodec() {
    }

    public static byte[] encode(Point point) {
        return ("{\"value\":" + point.value() + ",\"time\":" + point.timestampSeconds() + "}")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Decodes one record value; throws {@link EventCodec.MalformedException} when it is not a point. */
    public static Point decode(byte[] bytes) {
        if (bytes == null) {
            throw new EventCodec.MalformedException("null value");
        }
        String s = new String(bytes, StandardCharsets.US_ASCII);
        int v = s.indexOf("\"value\":");
        int t = s.indexOf("\"time\":");
        if (!s.startsWith("{") || !s.endsWith("}") || v < 0 || t < 0) {
            throw new EventCodec.MalformedException("not a point: " + s);
        }
        try {
            double value = Double.parseDouble(field(s, v + 8));
            long time = Long.parseLong(field(s, t + 7));
            return new Point(value, time);
        } catch (NumberFormatException e) {
            throw new EventCodec.MalformedException("not a point: " + s);
        }
    }

    private static String field(String s, int from) {
        int end = from;
        while (end < s.length() && s.charAt(end) != ',' && s.charAt(end) != '}') {
            end++;
        }
        return s.substring(from, end).trim();
    }
}
