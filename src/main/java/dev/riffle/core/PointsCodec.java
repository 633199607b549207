package dev.riffle.core;

import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The value format of the points topic, version {@value #VERSION}: one record carries many points, each a typed
 * series identity ({@link SeriesId}) + value + window start, and perhaps clock entries. Compact binary:
 *
 * <pre>
 * u8      version (1)
 * varlong the record's time (s, zigzag): the newest time of its entries, readable without decoding the rest
 * varint  string count, then each string: varint byte length + UTF-8  (the record's dictionary)
 * varlong base time (s, zigzag)
 * varint  entry count, then each entry:
 *   'p' point: varint environment, varint host, u8 flags (1 = fleet), varint service (dictionary indexes),
 *              u8 statistic type code, varint suffix, varint quantile + 1 (0: none),
 *              varlong time - base (zigzag), 8-byte IEEE double value
 *   'c' clock: varint writer, varlong time - base (zigzag)
 * </pre>
 *
 * A clock entry says "the writer named has written every point of the windows starting at or before this time
 * (s) that it will write to this partition before this entry" (see README Semantics, alerts' clock).
 *
 * <p>A reader refuses, with {@link EventCodec.MalformedException}, a version it does not know, a record that ends
 * early or has bytes left over, an index outside the dictionary, and the format before batches (JSON
 * {@code {"value":..,"time":..}} keyed by the Graphite path, written by Riffle before issue 19): see
 * {@link #isPreviousFormat}.
 */
public final class PointsCodec {
    public static final int VERSION = 1;
    /** a builder is full from this size on: records stay well under Kafka's 1 MiB default */
    public static final int MAX_RECORD_BYTES = 64 * 1024;
    private static final byte POINT = 'p';
    private static final byte CLOCK = 'c';

    private PointsCodec() {
    }

    /** One point of a series. */
    public record SeriesPoint(SeriesId id, Point point) {
    }

    /** A writer's clock entry: every point it writes for windows starting at or before {@code timeSeconds} came. */
    public record Clock(String writer, long timeSeconds) {
    }

    /** What one record holds, in the order written: points and clock entries. */
    public record Contents(List<SeriesPoint> points, List<Clock> clocks) {
        /** The newest time (s) of its points and clocks, MIN when empty. */
        public long newestSeconds() {
            long t = Long.MIN_VALUE;
            for (SeriesPoint p : points) {
                t = Math.max(t, p.point().timestampSeconds());
            }
            for (Clock c : clocks) {
                t = Math.max(t, c.timeSeconds());
            }
            return t;
        }
    }

    /** True when a value is the format before batches (a JSON point keyed by its path): refused, not read. */
    public static boolean isPreviousFormat(byte[] value) {
        return value != null && value.length > 0 && value[0] == '{';
    }

    /** Builds one record; not thread-safe. */
    public static final class Builder {
        private final Map<String, Integer> index = new HashMap<>();
        private final List<String> strings = new ArrayList<>();
        private int stringBytes;
        private byte[] entries = new byte[1024];
        private int length;
        private int count;
        private long base;
        private long newest = Long.MIN_VALUE;

        public Builder add(SeriesId id, double value, long timeSeconds) {
            start(timeSeconds);
            ensure(40);
            entries[length++] = POINT;
            writeString(id.environment());
            writeString(id.host());
            entries[length++] = (byte) (id.fleet() ? 1 : 0);
            writeString(id.service());
            Statistic s = id.statistic();
            entries[length++] = s.type().code;
            writeString(s.suffix());
            writeVarLong(s.quantile() == null ? 0 : string(s.quantile()) + 1L);
            writeVarLong(zigzag(timeSeconds - base));
            long bits = Double.doubleToRawLongBits(value);
            for (int shift = 56; shift >= 0; shift -= 8) {
                entries[length++] = (byte) (bits >>> shift);
            }
            count++;
            return this;
        }

        public Builder clock(String writer, long timeSeconds) {
            start(timeSeconds);
            ensure(20);
            entries[length++] = CLOCK;
            writeString(writer);
            writeVarLong(zigzag(timeSeconds - base));
            count++;
            return this;
        }

        public boolean isEmpty() {
            return count == 0;
        }

        /** Entries added since the last {@link #build}. */
        public int count() {
            return count;
        }

        /** About the size of the record now (bytes). */
        public int size() {
            return 1 + 5 + stringBytes + 10 + 5 + length;
        }

        public boolean full() {
            return size() >= MAX_RECORD_BYTES;
        }

        /** The newest time (s) added since the last build, MIN when empty. */
        public long newestSeconds() {
            return newest;
        }

        /** The record, and a fresh start for the next one. */
        public byte[] build() {
            ByteBuffer out = ByteBuffer.allocate(size() + 5 * strings.size());
            out.put((byte) VERSION);
            putVarLong(out, zigzag(newest));
            putVarLong(out, strings.size());
            for (String s : strings) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                putVarLong(out, b.length);
                out.put(b);
            }
            putVarLong(out, zigzag(base));
            putVarLong(out, count);
            out.put(entries, 0, length);
            byte[] record = Arrays.copyOf(out.array(), out.position());
            index.clear();
            strings.clear();
            stringBytes = 0;
            length = 0;
            count = 0;
            newest = Long.MIN_VALUE;
            return record;
        }

        private void start(long timeSeconds) {
            if (count == 0) {
                base = timeSeconds;
            }
            newest = Math.max(newest, timeSeconds);
        }

        private int string(String s) {
            Integer i = index.get(s);
            if (i == null) {
                i = strings.size();
                index.put(s, i);
                strings.add(s);
                stringBytes += 5 + s.length() * 3;
            }
            return i;
        }

        private void writeString(String s) {
            writeVarLong(string(s));
        }

        private void writeVarLong(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                entries[length++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            entries[length++] = (byte) v;
        }

        private void ensure(int more) {
            if (length + more > entries.length) {
                entries = Arrays.copyOf(entries, Math.max(entries.length * 2, length + more));
            }
        }
    }

    /**
     * The record's time (s, the newest of its entries) from its header alone; throws {@link
     * EventCodec.MalformedException} when the record is not of this version.
     */
    public static long recordTimeSeconds(byte[] value) {
        if (value == null || value.length < 2 || value[0] != VERSION) {
            throw new EventCodec.MalformedException("not a points record of version " + VERSION);
        }
        try {
            return unzigzag(getVarLong(ByteBuffer.wrap(value, 1, value.length - 1)));
        } catch (BufferUnderflowException e) {
            throw new EventCodec.MalformedException("points record ends early");
        }
    }

    /** Decodes one record value; throws {@link EventCodec.MalformedException} when it is not one this reads. */
    public static Contents decode(byte[] value) {
        if (value == null || value.length == 0) {
            throw new EventCodec.MalformedException("empty points record");
        }
        if (isPreviousFormat(value)) {
            throw new EventCodec.MalformedException("a point in the format before batches (JSON keyed by path):"
                    + " not read since points travel in batches; see README Upgrading");
        }
        if (value[0] != VERSION) {
            throw new EventCodec.MalformedException("points format version " + (value[0] & 0xFF) + " unknown (this"
                    + " Riffle reads " + VERSION + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(value, 1, value.length - 1);
        try {
            long recordTime = unzigzag(getVarLong(in));
            String[] strings = new String[count(in, 2)];
            for (int i = 0; i < strings.length; i++) {
                int n = count(in, 1);
                strings[i] = new String(value, in.position(), n, StandardCharsets.UTF_8);
                in.position(in.position() + n);
            }
            long base = unzigzag(getVarLong(in));
            int entries = count(in, 2);
            List<SeriesPoint> points = new ArrayList<>(entries);
            List<Clock> clocks = new ArrayList<>(1);
            if (strings.length >= 1 << 28) {
                throw new EventCodec.MalformedException(strings.length + " strings in one record");
            }
            Map<Long, Statistic> statistics = new HashMap<>();
            for (int i = 0; i < entries; i++) {
                byte tag = in.get();
                if (tag == POINT) {
                    String env = strings[index(in, strings)];
                    String host = strings[index(in, strings)];
                    int flags = in.get();
                    if ((flags & ~1) != 0) {
                        throw new EventCodec.MalformedException("unknown point flags " + flags);
                    }
                    String service = strings[index(in, strings)];
                    int type = in.get();
                    int suffix = index(in, strings);
                    long q = getVarLong(in);
                    if (q < 0 || q > strings.length) {
                        throw new EventCodec.MalformedException("quantile index " + q + " outside the dictionary");
                    }
                    long key = ((long) (type & 0xFF) << 56) | ((long) suffix << 28) | q;
                    Statistic statistic = statistics.get(key);
                    if (statistic == null) {
                        statistic = Statistic.canonical(Statistic.Type.ofCode(type), strings[suffix],
                                q == 0 ? null : strings[(int) q - 1]);
                        statistics.put(key, statistic);
                    }
                    long time = base + unzigzag(getVarLong(in));
                    double v = in.getDouble();
                    points.add(new SeriesPoint(new SeriesId(env, host, flags == 1, service, statistic),
                            new Point(v, time)));
                } else if (tag == CLOCK) {
                    String writer = strings[index(in, strings)];
                    clocks.add(new Clock(writer, base + unzigzag(getVarLong(in))));
                } else {
                    throw new EventCodec.MalformedException("unknown points entry " + tag);
                }
            }
            if (in.hasRemaining()) {
                throw new EventCodec.MalformedException(in.remaining() + " bytes after the last entry");
            }
            Contents contents = new Contents(points, clocks);
            if (entries > 0 && contents.newestSeconds() != recordTime) {
                throw new EventCodec.MalformedException("record time " + recordTime + " is not its newest entry's");
            }
            return contents;
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new EventCodec.MalformedException("points record ends early");
        } catch (IllegalArgumentException e) {
            throw new EventCodec.MalformedException("bad points record: " + e.getMessage());
        }
    }

    /** A count, each of its items at least {@code minBytes} long: more than the bytes left is refused. */
    private static int count(ByteBuffer in, int minBytes) {
        long n = getVarLong(in);
        if (n < 0 || n > in.remaining() / minBytes) {
            throw new EventCodec.MalformedException("count " + n + " larger than the record");
        }
        return (int) n;
    }

    private static int index(ByteBuffer in, String[] strings) {
        long i = getVarLong(in);
        if (i < 0 || i >= strings.length) {
            throw new EventCodec.MalformedException("string index " + i + " outside the dictionary");
        }
        return (int) i;
    }

    private static long getVarLong(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new EventCodec.MalformedException("varint longer than 10 bytes");
    }

    private static void putVarLong(ByteBuffer out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
