package dev.riffle.topology;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import org.HdrHistogram.DoubleHistogram;
import org.HdrHistogram.DoubleHistogramIterationValue;
import org.HdrHistogram.IntCountsHistogram;

/**
 * The values of one histogram series in one window, mergeable across hosts and instances.
 *
 * <p>Most series see a few values per window, and allocating an HdrHistogram (tens of KB) for each would
 * dominate the cost (see streams-throughput.md), so the first {@value #EXACT_LIMIT} values are kept exactly;
 * beyond that they go into HdrHistograms with 3 significant digits (one for negative values, mirrored, one for
 * the rest), with the exact min and max kept beside them. A reported value is the nearest-rank value
 * {@code v[min(n-1, floor(n*p))]}: exact while small, else within the histogram's precision (and never outside
 * the exact min..max).
 */
final class Percentiles {
    static final int EXACT_LIMIT = 32;
    private static final int DIGITS = 3;

    private double[] exact = new double[4];
    private int n;
    private DoubleHistogram positive;
    private DoubleHistogram negative;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    long count() {
        return n;
    }

    void add(double v) {
        min = Math.min(min, v);
        max = Math.max(max, v);
        if (exact != null) {
            if (n < EXACT_LIMIT) {
                if (n == exact.length) {
                    exact = Arrays.copyOf(exact, Math.min(EXACT_LIMIT, n * 2));
                }
                exact[n++] = v;
                return;
            }
            toHistograms();
        }
        record(v, 1);
        n++;
    }

    void merge(Percentiles other) {
        if (other.exact != null) {
            for (int i = 0; i < other.n; i++) {
                add(other.exact[i]);
            }
            return;
        }
        if (exact != null) {
            toHistograms();
        }
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        if (other.positive != null) {
            positive().add(other.positive);
        }
        if (other.negative != null) {
            negative().add(other.negative);
        }
        n += other.n;
    }

    /** Nearest rank: sorted values v[0..n-1], p -> v[min(n-1, floor(n*p))]. Requires at least one value. */
    double valueAt(double p) {
        int rank = (int) Math.min(n - 1, (long) Math.floor(n * p));
        if (rank <= 0) {
            return min;
        }
        if (rank >= n - 1) {
            return max;
        }
        if (exact != null) {
            Arrays.sort(exact, 0, n); // order of the exact values carries no meaning
            return exact[rank];
        }
        long negatives = negative == null ? 0 : negative.getTotalCount();
        double v = rank < negatives
                ? -valueAtIndex(negative, negatives - 1 - rank) // mirrored: the largest |v| is the smallest v
                : valueAtIndex(positive, rank - negatives);
        return Math.max(min, Math.min(max, v));
    }

    private static double valueAtIndex(DoubleHistogram h, long index) {
        long seen = 0;
        for (DoubleHistogramIterationValue bucket : h.recordedValues()) {
            seen += bucket.getCountAtValueIteratedTo();
            if (seen > index) {
                return h.medianEquivalentValue(bucket.getValueIteratedTo());
            }
        }
        throw new IllegalStateException("rank " + index + " beyond " + h.getTotalCount() + " values");
    }

    private void toHistograms() {
        double[] values = exact;
        int count = n;
        exact = null;
        for (int i = 0; i < count; i++) {
            record(values[i], 1);
        }
    }

    private void record(double v, long times) {
        if (v < 0) {
            negative().recordValueWithCount(-v, times);
        } else {
            positive().recordValueWithCount(v, times);
        }
    }

    private DoubleHistogram positive() {
        if (positive == null) {
            positive = new DoubleHistogram(DIGITS, IntCountsHistogram.class);
        }
        return positive;
    }

    private DoubleHistogram negative() {
        if (negative == null) {
            negative = new DoubleHistogram(DIGITS, IntCountsHistogram.class);
        }
        return negative;
    }

    void write(DataOutput out) throws IOException {
        if (exact != null) {
            out.writeByte(0);
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                out.writeDouble(exact[i]);
            }
            return;
        }
        out.writeByte(1);
        out.writeInt(n);
        out.writeDouble(min);
        out.writeDouble(max);
        writeHistogram(out, positive);
        writeHistogram(out, negative);
    }

    static Percentiles read(DataInput in) throws IOException {
        Percentiles p = new Percentiles();
        int mode = in.readByte();
        int count = in.readInt();
        if (mode == 0) {
            for (int i = 0; i < count; i++) {
                p.add(in.readDouble());
            }
            return p;
        }
        p.exact = null;
        p.n = count;
        p.min = in.readDouble();
        p.max = in.readDouble();
        p.positive = readHistogram(in);
        p.negative = readHistogram(in);
        return p;
    }

    private static void writeHistogram(DataOutput out, DoubleHistogram h) throws IOException {
        if (h == null) {
            out.writeInt(-1);
            return;
        }
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer, 1);
        out.writeInt(length);
        out.write(buffer.array(), 0, length);
    }

    private static DoubleHistogram readHistogram(DataInput in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        try {
            DoubleHistogram decoded = DoubleHistogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 2);
            DoubleHistogram h = new DoubleHistogram(DIGITS, IntCountsHistogram.class);
            h.add(decoded);
            return h;
        } catch (DataFormatException e) {
            throw new IOException("corrupt histogram: " + e.getMessage(), e);
        }
    }
}
