package dev.riffle.testing;

import dev.riffle.core.GraphiteNames;
import dev.riffle.core.PointsCodec;
import dev.riffle.core.SeriesId;
import dev.riffle.core.Statistic;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Points records for tests: written for a given Graphite path, read back as {@code path value seconds} lines. */
public final class Points {
    private Points() {
    }

    /**
     * A series whose Graphite path ({@link GraphiteNames#of}) is exactly {@code path}, whatever it holds (spaces,
     * slashes, empty segments): the whole path as the host, its parts reversed, no service.
     */
    public static SeriesId idOf(String path) {
        String[] parts = path.split("\\.", -1);
        StringBuilder host = new StringBuilder(path.length());
        for (int i = parts.length - 1; i >= 0; i--) {
            host.append(parts[i]);
            if (i > 0) {
                host.append('.');
            }
        }
        return SeriesId.host("", host.toString(), "", Statistic.value());
    }

    /** A record of one point under {@code path}. */
    public static byte[] record(String path, double value, long seconds) {
        return new PointsCodec.Builder().add(idOf(path), value, seconds).build();
    }

    /** A point in the format before batches (JSON; its path was the record key). */
    public static byte[] oldFormat(double value, long seconds) {
        return ("{\"value\":" + value + ",\"time\":" + seconds + "}").getBytes(StandardCharsets.US_ASCII);
    }

    /** The points of a record as {@code path value seconds} (Graphite paths as built, before carbon's sanitising). */
    public static List<String> lines(byte[] record) {
        List<String> out = new ArrayList<>();
        for (PointsCodec.SeriesPoint p : PointsCodec.decode(record).points()) {
            out.add(GraphiteNames.of(p.id()) + " " + p.point().value() + " " + p.point().timestampSeconds());
        }
        return out;
    }
}
