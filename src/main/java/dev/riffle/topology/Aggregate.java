package dev.riffle.topology;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * What one series saw in one window, in a form that merges: the per-host stage builds it from events, the fleet
 * stage merges the per-host ones. Which fields matter depends on the kind:
 * <ul>
 *   <li>meter: {@code sum} of metrics (a missing metric counts 1), and the last event's time and expiry
 *       (event time + ttl) for the fill-in of silent windows;</li>
 *   <li>gauge: the last value by event time (a tie goes to the larger value, so the result does not depend on
 *       the order in which hosts or partials arrive);</li>
 *   <li>occurrence: {@code count};</li>
 *   <li>histogram and timer: the values.</li>
 * </ul>
 */
final class Aggregate {
    final Series series;
    long count;
    double sum;
    long lastTime = Long.MIN_VALUE;
    double lastValue;
    long expiry = Long.MIN_VALUE;
    Percentiles values;
    /** changed since the journal last saved it: the journal's mark, set and cleared by the journal only */
    boolean unsaved;

    Aggregate(Series series) {
        this.series = series;
        if (series.kind() == Kind.HISTOGRAM) {
            values = new Percentiles();
        }
    }

    /** One event of this series; {@code metric} may be null (meters count it as 1). */
    void add(long time, Double metric, long expiresAt) {
        count++;
        switch (series.kind()) {
            case METER -> {
                sum += metric == null ? 1.0 : metric;
                takeLast(time, 0.0, expiresAt);
            }
            case GAUGE -> takeLast(time, metric, expiresAt);
            case HISTOGRAM -> values.add(metric);
            case OCCURRENCE -> { }
        }
    }

    /** {@code n} occurrences counted at once (self metrics). */
    void addCount(long time, long n, long expiresAt) {
        count += n;
        sum += n;
        takeLast(time, 0.0, expiresAt);
    }

    void merge(Aggregate other) {
        count += other.count;
        sum += other.sum;
        takeLast(other.lastTime, other.lastValue, other.expiry);
        if (values != null && other.values != null) {
            values.merge(other.values);
        }
    }

    private void takeLast(long time, double value, long expiresAt) {
        if (time > lastTime) {
            lastTime = time;
            lastValue = value;
            expiry = expiresAt;
        } else if (time == lastTime) {
            lastValue = Math.max(lastValue, value);
            expiry = Math.max(expiry, expiresAt);
        }
    }

    void write(DataOutput out) throws IOException {
        writeSeries(out, series);
        out.writeLong(count);
        out.writeDouble(sum);
        out.writeLong(lastTime);
        out.writeDouble(lastValue);
        out.writeLong(expiry);
        if (values != null) {
            values.write(out);
        }
    }

    /** @param legacy written before kinds had codes (journal and partials without a format version) */
    static Aggregate read(DataInput in, boolean legacy) throws IOException {
        Aggregate a = new Aggregate(readSeries(in, legacy));
        a.count = in.readLong();
        a.sum = in.readDouble();
        a.lastTime = in.readLong();
        a.lastValue = in.readDouble();
        a.expiry = in.readLong();
        if (a.values != null) {
            a.values = Percentiles.read(in);
        }
        return a;
    }

    static void writeSeries(DataOutput out, Series s) throws IOException {
        writeNullable(out, s.host());
        out.writeUTF(s.service());
        out.writeByte(s.kind().code);
        writeNullable(out, s.fleetHost());
    }

    static Series readSeries(DataInput in, boolean legacy) throws IOException {
        String host = readNullable(in);
        String service = in.readUTF();
        byte k = in.readByte();
        Kind kind = legacy ? Kind.ofLegacyOrdinal(k) : Kind.ofCode(k);
        return new Series(host, service, kind, readNullable(in));
    }

    private static void writeNullable(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
