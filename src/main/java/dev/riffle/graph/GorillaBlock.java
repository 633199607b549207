package dev.riffle.graph;

import java.util.Arrays;

/**
 * A run of (time, value) points of one series, compressed as Facebook's Gorilla paper does: each time as the
 * difference of its delta from the previous delta (one bit while the window length stays the same), each value as
 * the XOR with the previous value (one bit while it repeats, else only its meaningful bits). Points are appended in
 * time order; a point for a time already held, or earlier than the last one, is merged by decoding and encoding
 * the block again (rare: a rewind, a late window).
 *
 * <p>One change to the paper: values with one to three decimals (a rate of 12.4 events/s, a count of 5 over 5 s is
 * 1.0) are stored multiplied by 10, 100 or 1000 when that gives a whole number exactly and back again bit for
 * bit; whole numbers XOR to far fewer meaningful bits than decimal fractions do. The block's scale is chosen by
 * its first value and lowered (the block encoded again) when a later value does not fit it.
 *
 * <p>Not thread-safe: {@link RecentStore} guards it.
 */
final class GorillaBlock {
    /** points per block: a block of 5 s windows spans 10 minutes */
    static final int MAX_POINTS = 240;
    private static final double[] POWERS = {1, 10, 100, 1000};
    /** fixed cost of a block on the heap (this object and its array's header), for the store's budget */
    static final int OVERHEAD_BYTES = 64 + 16;

    private byte[] bits;
    private int bitLength;
    private int count;
    /** values are stored multiplied by 10^scale */
    private int scale;
    private long firstTime;
    private long lastTime;
    // encoder state of the last point, for appends
    private long lastDelta;
    private long lastValueBits;
    private int lastLeading;
    private int lastTrailing;

    GorillaBlock(long time, double value) {
        bits = new byte[16];
        scale = bestScale(value);
        append(time, scaled(value));
    }

    /** Whether {@code v} times 10^k is a whole number that divides back to exactly {@code v}. */
    static boolean fits(double v, int k) {
        if (k == 0) {
            return true;
        }
        double w = v * POWERS[k];
        return Math.abs(w) < 0x1p52 && w == Math.rint(w)
                && Double.doubleToRawLongBits(w / POWERS[k]) == Double.doubleToRawLongBits(v);
    }

    /** The smallest scale that makes {@code v} a whole number; 0 for whole numbers and for any other value. */
    static int bestScale(double v) {
        if (v == Math.rint(v)) {
            return 0;
        }
        for (int k = 1; k < POWERS.length; k++) {
            if (fits(v, k)) {
                return k;
            }
        }
        return 0;
    }

    private double scaled(double v) {
        return scale == 0 ? v : v * POWERS[scale];
    }

    int count() {
        return count;
    }

    long firstTime() {
        return firstTime;
    }

    long lastTime() {
        return lastTime;
    }

    /** Heap bytes held by this block, header included. */
    int heapBytes() {
        return OVERHEAD_BYTES + bits.length;
    }

    boolean full() {
        return count >= MAX_POINTS;
    }

    /** Shrinks the array to what the bits need: called when the block will take no more appends. */
    void seal() {
        int need = (bitLength + 7) >>> 3;
        if (bits.length > need) {
            bits = Arrays.copyOf(bits, need);
        }
    }

    /** Adds a point: an append when it is later than the last one, else a merge (a same time replaces the value). */
    void put(long time, double value) {
        if (time > lastTime && fits(value, scale)) {
            append(time, scaled(value));
            return;
        }
        long[] times = new long[count + 1];
        double[] values = new double[count + 1];
        int n = decode(times, values);
        int at = Arrays.binarySearch(times, 0, n, time);
        if (at >= 0) {
            if (Double.doubleToRawLongBits(values[at]) == Double.doubleToRawLongBits(value)) {
                return;
            }
            values[at] = value;
        } else {
            int insert = -at - 1;
            System.arraycopy(times, insert, times, insert + 1, n - insert);
            System.arraycopy(values, insert, values, insert + 1, n - insert);
            times[insert] = time;
            values[insert] = value;
            n++;
        }
        // the largest scale any value wants, if every value fits it; else none
        int k = 0;
        for (int i = 0; i < n; i++) {
            k = Math.max(k, bestScale(values[i]));
        }
        for (int i = 0; i < n && k > 0; i++) {
            if (!fits(values[i], k)) {
                k = 0;
            }
        }
        scale = k;
        bits = new byte[Math.max(16, (bitLength >>> 3) + 16)];
        bitLength = 0;
        count = 0;
        for (int i = 0; i < n; i++) {
            append(times[i], scaled(values[i]));
        }
    }

    /** Decodes every point into the arrays (each at least {@link #count()} long); returns how many. */
    int decode(long[] times, double[] values) {
        Reader r = new Reader();
        long time = r.read(64);
        long valueBits = r.read(64);
        times[0] = time;
        values[0] = Double.longBitsToDouble(valueBits);
        long delta = 0;
        int leading = 0;
        int trailing = 0;
        for (int i = 1; i < count; i++) {
            delta += readDeltaOfDelta(r);
            time += delta;
            if (r.read(1) == 1) {
                if (r.read(1) == 1) {
                    leading = (int) r.read(5);
                    int significant = (int) r.read(6);
                    if (significant == 0) {
                        significant = 64;
                    }
                    trailing = 64 - leading - significant;
                }
                int significant = 64 - leading - trailing;
                valueBits ^= r.read(significant) << trailing;
            }
            times[i] = time;
            values[i] = Double.longBitsToDouble(valueBits);
        }
        if (scale > 0) {
            for (int i = 0; i < count; i++) {
                values[i] /= POWERS[scale];
            }
        }
        return count;
    }

    private void append(long time, double value) {
        long valueBits = Double.doubleToRawLongBits(value);
        if (count == 0) {
            write(time, 64);
            write(valueBits, 64);
            firstTime = time;
            lastDelta = 0;
            lastLeading = Integer.MAX_VALUE;
            lastTrailing = 0;
        } else {
            long delta = time - lastTime;
            writeDeltaOfDelta(delta - lastDelta);
            lastDelta = delta;
            long xor = valueBits ^ lastValueBits;
            if (xor == 0) {
                write(0, 1);
            } else {
                int leading = Math.min(31, Long.numberOfLeadingZeros(xor));
                int trailing = Long.numberOfTrailingZeros(xor);
                if (lastLeading != Integer.MAX_VALUE && leading >= lastLeading && trailing >= lastTrailing) {
                    write(0b10, 2);
                    write(xor >>> lastTrailing, 64 - lastLeading - lastTrailing);
                } else {
                    int significant = 64 - leading - trailing;
                    write(0b11, 2);
                    write(leading, 5);
                    write(significant == 64 ? 0 : significant, 6);
                    write(xor >>> trailing, significant);
                    lastLeading = leading;
                    lastTrailing = trailing;
                }
            }
        }
        lastTime = time;
        lastValueBits = valueBits;
        count++;
    }

    private void writeDeltaOfDelta(long dod) {
        if (dod == 0) {
            write(0, 1);
        } else if (dod >= -63 && dod <= 64) {
            write(0b10, 2);
            write(dod, 7);
        } else if (dod >= -255 && dod <= 256) {
            write(0b110, 3);
            write(dod, 9);
        } else if (dod >= -2047 && dod <= 2048) {
            write(0b1110, 4);
            write(dod, 12);
        } else {
            write(0b1111, 4);
            write(dod, 64);
        }
    }

    private static long readDeltaOfDelta(Reader r) {
        if (r.read(1) == 0) {
            return 0;
        }
        if (r.read(1) == 0) {
            return signExtend(r.read(7), 7);
        }
        if (r.read(1) == 0) {
            return signExtend(r.read(9), 9);
        }
        if (r.read(1) == 0) {
            return signExtend(r.read(12), 12);
        }
        return r.read(64);
    }

    /** {@code dod} of 64 in 7 bits reads back as -64: the ranges above are shifted so that never happens. */
    private static long signExtend(long v, int width) {
        long max = 1L << (width - 1);
        return v > max ? v - (1L << width) : v;
    }

    /** Writes the low {@code width} bits of {@code v}, most significant first. */
    private void write(long v, int width) {
        if (bitLength + width > (long) bits.length * 8) {
            bits = Arrays.copyOf(bits, Math.max(bits.length + (bits.length >> 1), (bitLength + width + 7) / 8 + 8));
        }
        for (int i = width - 1; i >= 0; i--) {
            if (((v >>> i) & 1) != 0) {
                bits[bitLength >>> 3] |= (byte) (0x80 >>> (bitLength & 7));
            }
            bitLength++;
        }
    }

    private final class Reader {
        private int position;

        long read(int width) {
            long v = 0;
            for (int i = 0; i < width; i++) {
                v = (v << 1) | ((bits[position >>> 3] >>> (7 - (position & 7))) & 1);
                position++;
            }
            return v;
        }
    }
}
