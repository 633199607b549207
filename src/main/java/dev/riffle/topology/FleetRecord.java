package dev.riffle.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * What the per-host stage sends to the fleet stage through the repartition topic, versioned:
 * <ul>
 *   <li>a partial: one fleet series' merged per-host aggregates of one closed window of one task, keyed by the
 *       fleet series so that one fleet task owns it: {@code [version][P][window start][aggregate]};</li>
 *   <li>a watermark: "task {@code upstream}, one of {@code partitions}, has closed every window before
 *       {@code nextClose}", sent to every partition so the fleet stage knows when a window has all its
 *       partials: {@code [version][W][upstream][partitions][nextClose]}.</li>
 * </ul>
 * Format 0 (before versions) started with the type byte and had no partition count; it is still read, so
 * records in flight during an upgrade are not lost.
 */
final class FleetRecord {
    static final byte VERSION = 2;
    private static final byte PARTIAL = 'P';
    private static final byte WATERMARK = 'W';

    private FleetRecord() {
    }

    /** A decoded record: one of the two below. */
    sealed interface Contents permits Partial, Watermark {
    }

    record Partial(long start, Aggregate aggregate) implements Contents {
    }

    /** @param partitions how many per-host tasks there are; 0 when the task does not know */
    record Watermark(int upstream, int partitions, long nextClose) implements Contents {
    }

    static String key(Series fleet) {
        return fleet.host() + '\t' + fleet.service() + '\t' + fleet.kind().name(); // as before versions: same partition
    }

    static byte[] partial(long start, Aggregate a) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(PARTIAL);
            out.writeLong(start);
            a.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] watermark(Watermark w) {
        return ByteBuffer.allocate(18).put(VERSION).put(WATERMARK).putInt(w.upstream()).putInt(w.partitions())
                .putLong(w.nextClose()).array();
    }

    static Contents read(byte[] value) {
        boolean legacy = value.length > 0 && (value[0] == PARTIAL || value[0] == WATERMARK);
        if (!legacy && (value.length < 2 || value[0] != VERSION)) {
            throw new IncompatibleStateException("the fleet-partials topic", "a record of format "
                    + (value.length == 0 ? "(empty)" : Byte.toString(value[0])));
        }
        int at = legacy ? 0 : 1;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value, at + 1,
                value.length - at - 1))) {
            if (value[at] == WATERMARK) {
                int upstream = in.readInt();
                int partitions = legacy ? 0 : in.readInt();
                return new Watermark(upstream, partitions, in.readLong());
            }
            if (value[at] != PARTIAL) {
                throw new IOException("unknown record type " + value[at]);
            }
            long start = in.readLong();
            return new Partial(start, Aggregate.read(in, legacy));
        } catch (IOException | RuntimeException e) {
            throw new IncompatibleStateException("the fleet-partials topic", "a corrupt record (" + e + ")");
        }
    }

    /** Partials by fleet series; watermarks to every partition. */
    static final class Partitioner implements StreamPartitioner<String, byte[]> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, String key, byte[] value, int numPartitions) {
            if (value[1] == WATERMARK) {
                Set<Integer> all = new HashSet<>();
                for (int p = 0; p < numPartitions; p++) {
                    all.add(p);
                }
                return Optional.of(all);
            }
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(k)) % numPartitions));
        }
    }
}
