package dev.riffle.bench.e2e;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The series of one benchmark step and the bytes of their events, in the two wire formats the benchmark speaks.
 *
 * <p>{@code series} = hosts x services: {@code services = min(series, 100)}, {@code hosts = ceil(series /
 * services)}. A service's kind is fixed by its index: {@code i % 10} in 0..5 is a meter (60%), 6..7 a histogram,
 * 8 a timer (30% together), 9 a gauge (10%). Events go round-robin over every series, so the mix holds for the
 * events as well as for the series. Meters carry 1 (so the sum of a meter's points times the window is the count of
 * its events), histograms and timers a log-normal duration in ms (median 20, tenths), gauges 0..1000.
 *
 * <p>No event carries a time: the bridge stamps the arrival, as with riemann-c-client and every statsd client.
 * Every name carries the step's tag, so the points of each step can be told apart at the listener:
 * Riemann {@code host h17, service "e2e3 s7-timer", tags production + timer} becomes
 * {@code production.h17.e2e3.s7-timer.value.99}; statsd {@code e2e3.h17.s7-timer:12.5|ms} becomes
 * {@code production.<statsd host>.e2e3.h17.s7-timer.value.99} in Riffle and
 * {@code stats.timers.e2e3.h17.s7-timer.upper_99} in Etsy statsd. In all of them the tag is the third path segment.
 */
final class Workload {
    enum Kind {
        METER("meter", "c"), HISTOGRAM("histogram", "ms"), TIMER("timer", "ms"), GAUGE("gauge", "g");

        final String tag;
        final String statsdType;

        Kind(String tag, String statsdType) {
            this.tag = tag;
            this.statsdType = statsdType;
        }
    }

    static final String ENVIRONMENT = "production";

    final String tag;
    final int series;
    final int services;
    final int hosts;
    /** Per series: the Riemann event without its metric (service, host, tags). */
    private final byte[][] riemannPrefix;
    /** Per series: the statsd name and the colon. */
    private final byte[][] statsdName;
    private final Kind[] kinds;

    Workload(String tag, int series) {
        if (series < 1) {
            throw new IllegalArgumentException("series must be >= 1: " + series);
        }
        this.tag = tag;
        this.series = series;
        this.services = Math.min(series, 100);
        this.hosts = (series + services - 1) / services;
        this.riemannPrefix = new byte[series][];
        this.statsdName = new byte[series][];
        this.kinds = new Kind[series];
        for (int i = 0; i < series; i++) {
            int host = i / services;
            int service = i % services;
            Kind kind = kindOf(service);
            kinds[i] = kind;
            String serviceName = "s" + service + "-" + kind.tag;
            ProtoWriter w = new ProtoWriter(256);
            w.string(3, tag + " " + serviceName);
            w.string(4, "h" + host);
            w.string(7, ENVIRONMENT);
            w.string(7, kind.tag);
            riemannPrefix[i] = w.toBytes();
            statsdName[i] = (tag + ".h" + host + "." + serviceName + ":").getBytes(StandardCharsets.US_ASCII);
        }
    }

    static Kind kindOf(int service) {
        int k = service % 10;
        return k < 6 ? Kind.METER : k < 8 ? Kind.HISTOGRAM : k == 8 ? Kind.TIMER : Kind.GAUGE;
    }

    Kind kind(long event) {
        return kinds[(int) (event % series)];
    }

    /** Meters among the first {@code events} events (they go round-robin over the series). */
    long meters(long events) {
        long full = events / series;
        long meters = 0;
        long perRound = 0;
        int rest = (int) (events % series);
        for (int i = 0; i < series; i++) {
            if (kinds[i] == Kind.METER) {
                perRound++;
                if (i < rest) {
                    meters++;
                }
            }
        }
        return full * perRound + meters;
    }

    /** The metric of an event, in tenths (so that both formats carry exactly the same number). */
    static long tenths(Kind kind, SplittableRandom random) {
        return switch (kind) {
            case METER -> 10;
            case HISTOGRAM, TIMER -> Math.max(1, Math.round(200 * Math.exp(0.8 * random.nextGaussian())));
            case GAUGE -> random.nextInt(10_001);
        };
    }

    /** Appends event number {@code event} as one {@code Msg.events} entry (field 6) to {@code out}. */
    void appendRiemann(long event, long tenths, ByteBuffer out) {
        byte[] prefix = riemannPrefix[(int) (event % series)];
        int length = prefix.length + 9;
        out.put((byte) ((6 << 3) | 2));
        ProtoWriter.varint(out, length);
        out.put(prefix);
        out.put((byte) ((14 << 3) | 1)); // metric_d, fixed64
        out.order(ByteOrder.LITTLE_ENDIAN).putDouble(tenths / 10.0).order(ByteOrder.BIG_ENDIAN);
    }

    /** Appends event number {@code event} as a statsd line (no newline) to {@code out}. */
    void appendStatsd(long event, long tenths, ByteBuffer out) {
        int i = (int) (event % series);
        out.put(statsdName[i]);
        putDecimal(out, tenths);
        out.put((byte) '|');
        for (char c : kinds[i].statsdType.toCharArray()) {
            out.put((byte) c);
        }
    }

    /** Writes tenths as a plain decimal: 10 -> "1", 125 -> "12.5". */
    static void putDecimal(ByteBuffer out, long tenths) {
        long whole = tenths / 10;
        int fraction = (int) (tenths % 10);
        putLong(out, whole);
        if (fraction != 0) {
            out.put((byte) '.').put((byte) ('0' + fraction));
        }
    }

    private static void putLong(ByteBuffer out, long v) {
        if (v >= 10) {
            putLong(out, v / 10);
        }
        out.put((byte) ('0' + (v % 10)));
    }

    /** Just enough protobuf writing for the fixed part of an event. */
    static final class ProtoWriter {
        private final ByteBuffer buf;

        ProtoWriter(int capacity) {
            buf = ByteBuffer.allocate(capacity);
        }

        void string(int field, String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            buf.put((byte) ((field << 3) | 2));
            varint(buf, b.length);
            buf.put(b);
        }

        byte[] toBytes() {
            byte[] out = new byte[buf.position()];
            buf.flip();
            buf.get(out);
            return out;
        }

        static void varint(ByteBuffer out, long v) {
            while ((v & ~0x7FL) != 0) {
                out.put((byte) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.put((byte) v);
        }
    }
}
