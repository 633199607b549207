package dev.riffle.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Builds one Riemann protobuf {@code Msg} holding any number of events, straight into bytes (JDK only, so the
 * client jar needs nothing else). Field numbers are Riemann's: Msg.events = 6; Event.time = 1, state = 2,
 * service = 3, host = 4, description = 5, tags = 7, ttl = 8, attributes = 9, time_micros = 10, metric_d = 14.
 *
 * <pre>
 * byte[] msg = new RiemannMessage()
 *     .event(nowMicros, "box1", "requests", null, null, 1.0, null, Map.of(), "production", "meter")
 *     .toBytes();
 * </pre>
 */
public final class RiemannMessage {
    private final Buffer msg = new Buffer(256);
    private final Buffer event = new Buffer(128);
    private int events;
    private int lastEventStart = -1;

    /**
     * Adds an event. Null strings and metric/ttl are left out of the message.
     *
     * @param timeMicros event time in microseconds since the epoch; sent as time_micros and as whole seconds
     */
    public RiemannMessage event(long timeMicros, String host, String service, String state, String description,
                                Double metric, Float ttl, Map<String, String> attributes, String... tags) {
        event.reset();
        event.varintField(1, Math.floorDiv(timeMicros, 1_000_000L));
        event.stringField(2, state);
        event.stringField(3, service);
        event.stringField(4, host);
        event.stringField(5, description);
        for (String tag : tags) {
            event.stringField(7, tag);
        }
        if (ttl != null) {
            event.tag(8, 5);
            event.fixed32(Float.floatToIntBits(ttl));
        }
        if (attributes != null) {
            Buffer attribute = new Buffer(32);
            for (Map.Entry<String, String> a : attributes.entrySet()) {
                attribute.reset();
                attribute.stringField(1, a.getKey());
                attribute.stringField(2, a.getValue());
                event.bytesField(9, attribute);
            }
        }
        event.varintField(10, timeMicros);
        if (metric != null) {
            event.tag(14, 1);
            event.fixed64(Double.doubleToRawLongBits(metric));
        }
        lastEventStart = msg.length;
        msg.bytesField(6, event);
        events++;
        return this;
    }

    /** Takes back the event added last (once), e.g. when it made the message too big to send. */
    void removeLast() {
        if (lastEventStart >= 0) {
            msg.length = lastEventStart;
            events--;
            lastEventStart = -1;
        }
    }

    public int events() {
        return events;
    }

    public int size() {
        return msg.length;
    }

    public byte[] toBytes() {
        return Arrays.copyOf(msg.bytes, msg.length);
    }

    public RiemannMessage clear() {
        msg.reset();
        events = 0;
        lastEventStart = -1;
        return this;
    }

    /**
     * Reads a server's reply Msg: null when it says ok, else the error it gave (or a description of why the
     * reply could not be read).
     */
    public static String replyError(byte[] reply) {
        boolean ok = false;
        String error = null;
        int pos = 0;
        try {
            while (pos < reply.length) {
                long key = 0;
                int shift = 0;
                byte b;
                do {
                    b = reply[pos++];
                    key |= (long) (b & 0x7F) << shift;
                    shift += 7;
                } while (b < 0);
                int field = (int) (key >>> 3);
                int type = (int) (key & 7);
                if (type == 0) {
                    long v = 0;
                    shift = 0;
                    do {
                        b = reply[pos++];
                        v |= (long) (b & 0x7F) << shift;
                        shift += 7;
                    } while (b < 0);
                    if (field == 2) {
                        ok = v != 0;
                    }
                } else if (type == 2) {
                    int len = 0;
                    shift = 0;
                    do {
                        b = reply[pos++];
                        len |= (b & 0x7F) << shift;
                        shift += 7;
                    } while (b < 0);
                    if (field == 3) {
                        error = new String(reply, pos, len, StandardCharsets.UTF_8);
                    }
                    pos += len;
                } else if (type == 5) {
                    pos += 4;
                } else if (type == 1) {
                    pos += 8;
                } else {
                    return "unreadable reply";
                }
            }
        } catch (ArrayIndexOutOfBoundsException | StringIndexOutOfBoundsException e) {
            return "truncated reply";
        }
        return ok ? null : error == null ? "server answered ok=false" : error;
    }

    /** A growable byte array with protobuf field writers. */
    private static final class Buffer {
        byte[] bytes;
        int length;

        Buffer(int capacity) {
            bytes = new byte[capacity];
        }

        void reset() {
            length = 0;
        }

        void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }

        void varint(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                bytes[length++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            bytes[length++] = (byte) v;
        }

        void tag(int field, int wireType) {
            varint(((long) field << 3) | wireType);
        }

        void varintField(int field, long v) {
            tag(field, 0);
            varint(v);
        }

        void stringField(int field, String s) {
            if (s == null) {
                return;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            tag(field, 2);
            varint(utf8.length);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, bytes, length, utf8.length);
            length += utf8.length;
        }

        void bytesField(int field, Buffer content) {
            tag(field, 2);
            varint(content.length);
            ensure(content.length);
            System.arraycopy(content.bytes, 0, bytes, length, content.length);
            length += content.length;
        }

        void fixed32(int v) {
            ensure(4);
            for (int i = 0; i < 4; i++) {
                bytes[length++] = (byte) (v >>> (8 * i));
            }
        }

        void fixed64(long v) {
            ensure(8);
            for (int i = 0; i < 8; i++) {
                bytes[length++] = (byte) (v >>> (8 * i));
            }
        }
    }
}
