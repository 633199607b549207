package dev.riffle.sink;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/**
 * Samples gathered for one Prometheus remote write 1.0 request, at most {@code capacity} of them, in the order they
 * came. {@link #encode} writes them as a {@code prometheus.WriteRequest} (remote.proto: {@code repeated TimeSeries
 * timeseries = 1}; TimeSeries {@code labels = 1, samples = 2}; Sample {@code double value = 1, int64 timestamp = 2}
 * in milliseconds), one TimeSeries per series with its samples in arrival order, compressed with snappy's block
 * format as the protocol requires.
 */
final class RemoteWriteBatch {
    private final int capacity;
    private final PromSeries[] series;
    private final double[] values;
    private final long[] millis;
    private int size;

    RemoteWriteBatch(int capacity) {
        this.capacity = capacity;
        this.series = new PromSeries[capacity];
        this.values = new double[capacity];
        this.millis = new long[capacity];
    }

    /** Adds a sample; false when the batch is full. */
    boolean add(PromSeries s, double value, long timestampMillis) {
        if (size == capacity) {
            return false;
        }
        series[size] = s;
        values[size] = value;
        millis[size] = timestampMillis;
        size++;
        return true;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        Arrays.fill(series, 0, size, null);
        size = 0;
    }

    /** The samples from {@code from} (inclusive) to {@code to} (exclusive), snappy-compressed, ready to POST. */
    byte[] encode(int from, int to) {
        Map<PromSeries, List<Integer>> bySeries = new LinkedHashMap<>();
        for (int i = from; i < to; i++) {
            bySeries.computeIfAbsent(series[i], k -> new ArrayList<>(4)).add(i);
        }
        int total = 0;
        int[] sizes = new int[bySeries.size()];
        int n = 0;
        for (Map.Entry<PromSeries, List<Integer>> e : bySeries.entrySet()) {
            int ts = e.getKey().encodedLabels().length;
            for (int i : e.getValue()) {
                int sample = sampleSize(i);
                ts += CodedOutputStream.computeTagSize(2) + CodedOutputStream.computeUInt32SizeNoTag(sample) + sample;
            }
            sizes[n++] = ts;
            total += CodedOutputStream.computeTagSize(1) + CodedOutputStream.computeUInt32SizeNoTag(ts) + ts;
        }
        byte[] raw = new byte[total];
        CodedOutputStream o = CodedOutputStream.newInstance(raw);
        try {
            n = 0;
            for (Map.Entry<PromSeries, List<Integer>> e : bySeries.entrySet()) {
                o.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED); // WriteRequest.timeseries
                o.writeUInt32NoTag(sizes[n++]);
                o.writeRawBytes(e.getKey().encodedLabels());
                for (int i : e.getValue()) {
                    o.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED); // TimeSeries.samples
                    o.writeUInt32NoTag(sampleSize(i));
                    o.writeDouble(1, values[i]); // Sample.value
                    o.writeInt64(2, millis[i]); // Sample.timestamp, ms
                }
            }
            o.checkNoSpaceLeft();
            return Snappy.compress(raw);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a remote write request failed", e);
        }
    }

    private int sampleSize(int i) {
        return CodedOutputStream.computeDoubleSize(1, values[i]) + CodedOutputStream.computeInt64Size(2, millis[i]);
    }

    /**
     * Reorders the samples so that each series' samples are together (series in order of first appearance, each
     * one's samples in arrival order): the order {@link #encode} sends them in anyway, so that halves of a refused
     * request split along series, as receivers refuse samples of a series (out of order, too old).
     */
    void groupBySeries() {
        Map<PromSeries, List<Integer>> bySeries = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            bySeries.computeIfAbsent(series[i], k -> new ArrayList<>(4)).add(i);
        }
        PromSeries[] s = new PromSeries[size];
        double[] v = new double[size];
        long[] t = new long[size];
        int n = 0;
        for (List<Integer> indices : bySeries.values()) {
            for (int i : indices) {
                s[n] = series[i];
                v[n] = values[i];
                t[n] = millis[i];
                n++;
            }
        }
        System.arraycopy(s, 0, series, 0, size);
        System.arraycopy(v, 0, values, 0, size);
        System.arraycopy(t, 0, millis, 0, size);
    }

    /** The series of sample {@code i} (for logs). */
    PromSeries series(int i) {
        return series[i];
    }

    /** The timestamp of sample {@code i} in milliseconds (for logs). */
    long millis(int i) {
        return millis[i];
    }
}
