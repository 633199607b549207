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
 * What the per-host stage sends to the fleet stage through the repartition topic:
 * <ul>
 *   <li>a partial ({@code P}): one fleet series' merged per-host aggregates of one closed window of one task,
 *       keyed by the fleet series so that one fleet task owns it;</li>
 *   <li>a watermark ({@code W}): "task {@code upstream} has closed every window before {@code nextClose}", sent
 *       to every partition, so the fleet stage knows when a window has all its partials.</li>
 * </ul>
 * Points on the same branch start with '{' (JSON), so the first byte tells them apart.
 */
final class FleetRecord {
    static final byte PARTIAL = 'P';
    static final byte WATERMARK = 'W';

    private FleetRecord() {
    }

    static boolean isFleetRecord(byte[] value) {
        return value != null && value.length > 0 && (value[0] == PARTIAL || value[0] == WATERMARK);
    }

    static String key(Series fleet) {
        return fleet.host() + '\t' + fleet.service() + '\t' + fleet.kind();
    }

    static byte[] partial(long start, Aggregate a) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(PARTIAL);
            out.writeLong(start);
            a.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] watermark(int upstream, long nextClose) {
        return ByteBuffer.allocate(13).put(WATERMARK).putInt(upstream).putLong(nextClose).array();
    }

    /** A decoded partial: window start and aggregate. */
    record Partial(long start, Aggregate aggregate) {
    }

    static Partial readPartial(byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value, 1, value.length - 1))) {
            long start = in.readLong();
            return new Partial(start, Aggregate.read(in));
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt fleet partial", e);
        }
    }

    static int upstream(byte[] watermark) {
        return ByteBuffer.wrap(watermark, 1, 4).getInt();
    }

    static long nextClose(byte[] watermark) {
        return ByteBuffer.wrap(watermark, 5, 8).getLong();
    }

    /** Partials by fleet series; watermarks to every partition. */
    static final class Partitioner implements StreamPartitioner<String, byte[]> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, String key, byte[] value, int numPartitions) {
            if (value[0] == WATERMARK) {
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
