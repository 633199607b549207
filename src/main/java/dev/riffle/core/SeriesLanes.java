package dev.riffle.core;

/**
 * Where a series' points go on the points topic, for every writer (the topology's tasks, the sink's own figures):
 * a series belongs to one of {@value #LANES} lanes by a stable hash of its names ({@link SeriesId#stableHash()}, the
 * same for every statistic of it), its records are keyed {@code lane-<n>}, and lane n goes to partition
 * {@code n mod partitions} (60 divides evenly by 1-6, 10, 12, 15, 20 and 30 partitions). So a series always lands in
 * the same partition, whoever writes it, and its points stay in order for every reader (alert states, remote write).
 */
public final class SeriesLanes {
    public static final int LANES = 60;
    private static final String PREFIX = "lane-";
    private static final String[] KEYS = new String[LANES];

    static {
        for (int i = 0; i < LANES; i++) {
            KEYS[i] = PREFIX + i;
        }
    }

    private SeriesLanes() {
    }

    public static int laneOf(SeriesId id) {
        return Math.floorMod(id.stableHash(), LANES);
    }

    /** The record key of a lane: {@code lane-7}. */
    public static String key(int lane) {
        return KEYS[lane];
    }

    /** The partition of a lane's records. */
    public static int partition(int lane, int partitions) {
        return lane % partitions;
    }

    /** The partition of a record keyed {@code lane-<n>}, or -1 for any other key. */
    public static int partitionOfKey(String key, int partitions) {
        if (key == null || !key.startsWith(PREFIX)) {
            return -1;
        }
        try {
            return partition(Integer.parseInt(key, PREFIX.length(), key.length(), 10), partitions);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
