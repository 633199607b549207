package dev.riffle.topology;

import dev.riffle.core.SeriesId;
import dev.riffle.core.SeriesLanes;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * How the topology partitions the points topic: a series' records by its lane ({@link SeriesLanes}, the rule every
 * writer of points follows); a clock record (key {@value #CLOCK_KEY}) goes to every partition.
 */
final class PointsLanes implements StreamPartitioner<String, byte[]> {
    static final int LANES = SeriesLanes.LANES;
    static final String CLOCK_KEY = "clock";

    static int laneOf(SeriesId id) {
        return SeriesLanes.laneOf(id);
    }

    static String key(int lane) {
        return SeriesLanes.key(lane);
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
        int partition = SeriesLanes.partitionOfKey(key, numPartitions);
        // any other key: the default partitioner, by key
        return partition < 0 ? Optional.empty() : Optional.of(Set.of(partition));
    }
}
