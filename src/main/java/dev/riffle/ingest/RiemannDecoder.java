package dev.riffle.ingest;

import dev.riffle.core.Event;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a Riemann protobuf {@code Msg} into events. Field numbers are Riemann's (see the design notes):
 * Msg.events = 6, Msg.query = 5; Event.time = 1 ... metric_f = 15.
 *
 * <p>A Msg that cannot be parsed at all is rejected whole; inside a good Msg, an event that cannot be read (bad
 * field, invalid UTF-8), or has no host or service, or a non-finite metric, is dropped and counted while the
 * other events are kept. Unknown fields are skipped, as protobuf allows.
 */
public final class RiemannDecoder implements DatagramDecoder {
    private final IngestCounters counters;

    public RiemannDecoder(IngestCounters counters) {
        this.counters = counters;
    }

    /** What one Msg held. */
    public record Decoded(List<Event> events, boolean query) {
    }

    /**
     * @param receiveMicros stamped on events that carry neither time nor time_micros
     * @throws MalformedInputException when the bytes are not a Msg
     */
    public Decoded decode(byte[] buf, int offset, int length, long receiveMicros) {
        ProtoReader msg = new ProtoReader(buf, offset, length);
        List<Event> events = new ArrayList<>();
        boolean query = false;
        while (msg.hasMore()) {
            int tag = msg.readTag();
            switch (tag) {
                case (6 << 3) | ProtoReader.LENGTH_DELIMITED -> {
                    ProtoReader body = msg.readMessage();
                    try {
                        events.add(readEvent(body, receiveMicros));
                    } catch (MalformedInputException bad) {
                        // the event's length was sound, so the events after it can still be read
                        counters.reject(bad.reason() == IngestCounters.Reason.MALFORMED_MESSAGE
                                ? IngestCounters.Reason.MALFORMED_EVENT : bad.reason(), bad.getMessage());
                    }
                }
                case (5 << 3) | ProtoReader.LENGTH_DELIMITED -> {
                    msg.readMessage();
                    query = true;
                }
                default -> msg.skip(tag);
            }
        }
        return new Decoded(events, query);
    }

    /** UDP: no reply is possible, so a query is only counted. */
    @Override
    public void decode(byte[] buf, int offset, int length, long receiveMicros, List<Event> into) {
        Decoded msg = decode(buf, offset, length, receiveMicros);
        if (msg.query()) {
            counters.reject(IngestCounters.Reason.QUERY, "query over UDP");
        }
        into.addAll(msg.events());
    }

    private Event readEvent(ProtoReader r, long receiveMicros) {
        long time = Long.MIN_VALUE;
        long timeMicros = Long.MIN_VALUE;
        String state = null;
        String service = null;
        String host = null;
        String description = null;
        List<String> tags = new ArrayList<>(4);
        Map<String, String> attributes = null;
        Float ttl = null;
        Long metricSint = null;
        Double metricD = null;
        Float metricF = null;
        while (r.hasMore()) {
            int tag = r.readTag();
            switch (tag) {
                case (1 << 3) | ProtoReader.VARINT -> time = r.readVarint();
                case (2 << 3) | ProtoReader.LENGTH_DELIMITED -> state = r.readString();
                case (3 << 3) | ProtoReader.LENGTH_DELIMITED -> service = r.readString();
                case (4 << 3) | ProtoReader.LENGTH_DELIMITED -> host = r.readString();
                case (5 << 3) | ProtoReader.LENGTH_DELIMITED -> description = r.readString();
                case (7 << 3) | ProtoReader.LENGTH_DELIMITED -> tags.add(r.readString());
                case (8 << 3) | ProtoReader.FIXED32 -> ttl = r.readFloat();
                case (9 << 3) | ProtoReader.LENGTH_DELIMITED -> {
                    if (attributes == null) {
                        attributes = new LinkedHashMap<>();
                    }
                    readAttribute(r.readMessage(), attributes);
                }
                case (10 << 3) | ProtoReader.VARINT -> timeMicros = r.readVarint();
                case (13 << 3) | ProtoReader.VARINT -> metricSint = r.readSint64();
                case (14 << 3) | ProtoReader.FIXED64 -> metricD = r.readDouble();
                case (15 << 3) | ProtoReader.FIXED32 -> metricF = r.readFloat();
                default -> r.skip(tag);
            }
        }
        // Riemann's precedence: sint64, then double, then float (the ruby client sends d and f together)
        Double metric = metricSint != null ? Double.valueOf(metricSint)
                : metricD != null ? metricD
                : metricF != null ? Double.valueOf(metricF) : null;
        EventCheck.require(host, service, metric);
        if (ttl != null && !(ttl > 0 && Float.isFinite(ttl))) {
            ttl = null; // a nonsensical ttl means "use the default expiry", not a dropped event
        }
        long micros = timeMicros != Long.MIN_VALUE ? timeMicros
                : time != Long.MIN_VALUE ? secondsToMicros(time) : receiveMicros;
        return new Event(micros, host, service, state, description, tags,
                attributes == null ? Map.of() : attributes, metric, ttl);
    }

    /** Saturates instead of overflowing: an absurd time is then clamped like any other. */
    static long secondsToMicros(long seconds) {
        return seconds > Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE
                : seconds < Long.MIN_VALUE / 1_000_000L ? Long.MIN_VALUE : seconds * 1_000_000L;
    }

    private static void readAttribute(ProtoReader r, Map<String, String> into) {
        String key = null;
        String value = null;
        while (r.hasMore()) {
            int tag = r.readTag();
            switch (tag) {
                case (1 << 3) | ProtoReader.LENGTH_DELIMITED -> key = r.readString();
                case (2 << 3) | ProtoReader.LENGTH_DELIMITED -> value = r.readString();
                default -> r.skip(tag);
            }
        }
        if (key != null) {
            into.put(key, value == null ? "" : value);
        }
    }

    /** A Riemann reply: Msg{ok = true} or Msg{ok = false, error = text}, unframed. */
    public static byte[] reply(boolean ok, String error) {
        byte[] err = error == null ? new byte[0] : error.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int errLen = error == null ? 0 : 1 + varintSize(err.length) + err.length;
        byte[] out = new byte[2 + errLen];
        out[0] = (2 << 3) | ProtoReader.VARINT;
        out[1] = (byte) (ok ? 1 : 0);
        if (error != null) {
            int p = 2;
            out[p++] = (3 << 3) | ProtoReader.LENGTH_DELIMITED;
            int len = err.length;
            while ((len & ~0x7F) != 0) {
                out[p++] = (byte) ((len & 0x7F) | 0x80);
                len >>>= 7;
            }
            out[p++] = (byte) len;
            System.arraycopy(err, 0, out, p, err.length);
        }
        return out;
    }

    private static int varintSize(int v) {
        int n = 1;
        while ((v & ~0x7F) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }
}
