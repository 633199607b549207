package dev.riffle.sink;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Prometheus series: its labels, {@code __name__} included, sorted by name as remote write asks, and those
 * labels already encoded as the {@code repeated Label labels = 1} part of a {@code TimeSeries} message (remote.proto),
 * so that a series that sends a point every window is encoded once. Equal by its labels.
 */
final class PromSeries {
    private final String[] labels; // name, value, name, value... sorted by name
    private final byte[] encoded;
    private final int hash;

    private PromSeries(String[] labels) {
        this.labels = labels;
        this.encoded = encode(labels);
        this.hash = Arrays.hashCode(labels);
    }

    /** A series from its labels (name -> value); empty values are left out, as Prometheus treats them as unset. */
    static PromSeries of(Map<String, String> labels) {
        String[] sorted = labels.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .sorted(Map.Entry.comparingByKey())
                .flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
                .toArray(String[]::new);
        return new PromSeries(sorted);
    }

    private static byte[] encode(String[] labels) {
        int size = 0;
        for (int i = 0; i < labels.length; i += 2) {
            int label = labelSize(labels[i], labels[i + 1]);
            size += CodedOutputStream.computeTagSize(1) + CodedOutputStream.computeUInt32SizeNoTag(label) + label;
        }
        byte[] out = new byte[size];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            for (int i = 0; i < labels.length; i += 2) {
                o.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED); // TimeSeries.labels
                o.writeUInt32NoTag(labelSize(labels[i], labels[i + 1]));
                o.writeString(1, labels[i]); // Label.name
                o.writeString(2, labels[i + 1]); // Label.value
            }
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException("a label did not fit its computed size", e);
        }
        return out;
    }

    private static int labelSize(String name, String value) {
        return CodedOutputStream.computeStringSize(1, name) + CodedOutputStream.computeStringSize(2, value);
    }

    /** The encoded labels: {@code repeated Label labels = 1} of a TimeSeries. */
    byte[] encodedLabels() {
        return encoded;
    }

    /** The labels as a map in name order (for tests and logs). */
    Map<String, String> labels() {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            m.put(labels[i], labels[i + 1]);
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PromSeries other && hash == other.hash && Arrays.equals(labels, other.labels);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        Map<String, String> m = labels();
        s.append(m.getOrDefault("__name__", "")).append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (!e.getKey().equals("__name__")) {
                s.append(first ? "" : ",").append(e.getKey()).append("=\"").append(e.getValue()).append('"');
                first = false;
            }
        }
        return s.append('}').toString();
    }
}
