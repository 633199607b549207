package dev.riffle.topology;

import dev.riffle.core.SeriesId;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * How the points topic is partitioned: a series belongs to one of {@value #LANES} lanes by a stable hash of its
 * names, and lane {@code l} goes to partition {@code l mod partitions} (60 divides evenly by 1-6, 10, 12, 15, 20
 * and 30 partitions); a clock record (key {@value #CLOCK_KEY}) goes to every partition.
 */
final class PointsLanes implements StreamPartitioner<String, byte[]> {
    static final int LANES = 60;
    static final String CLOCK_KEY = "clock";
    private static final String[] KEYS = new String[LANES];

    static {
        for (int i = 0; i < LANES; i++) {
            KEYS[i] = "lane-" + i;
        }
    }

    static int laneOf(SeriesId id) {
        return Math.floorMod(id.stableHash(), LANES);
    }

    static String key(int lane) {
        return KEYS[lane];
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, byte[] value, int numPartitions) {
        if (CLOCK_KEY.equals(key)) {
            Set<Integer> all = new HashSet<>();
            for (int p = 0; p < numPartitions; p++) {
                all.add(p);
            }
            return Optional.of(all);
        }
        if (key != null && key.startsWith("lane-")) {
            try {
                return Optional.of(Set.of(Integer.parseInt(key, 5, key.length(), 10) % numPartitions));
            } catch (NumberFormatException e) {
                // fall through to the default
            }
        }
        return Optional.empty(); // the default partitioner, by key
    }
}
