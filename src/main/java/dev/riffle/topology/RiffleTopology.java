package dev.riffle.topology;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The one entry point that builds the stream processing: what runs in {@code riffle streams} and what the
 * TopologyTestDriver tests drive. Reads top to bottom the way the data flows:
 * events and bridge ticks -> per-host windows -> points, and partials and per-host watermarks -> repartition by
 * fleet series -> fleet windows -> points.
 */
public final class RiffleTopology {
    static final String FLEET_PARTIALS = "fleet-partials";
    /**
     * The journals' changelogs: every commit writes new chunk keys and every dropped window deletes some, so
     * only compaction keeps them near the size of the open state; with the broker's 1 GB segments it would hardly
     * ever run and a task moving to another instance would restore all history. Ten-minute segments let it.
     */
    static final Map<String, String> CHANGELOG = Map.of(TopicConfig.SEGMENT_MS_CONFIG, "600000");

    private RiffleTopology() {
    }

    public static Topology build(Config config) {
        return build(config, new TopologyCounters());
    }

    public static Topology build(Config config, TopologyCounters counters) {
        return build(config, counters, 0);
    }

    /**
     * @param eventsPartitions the events topic's partition count, when known (0: learnt from the bridges' ticks);
     *                         the fleet stage waits for that many per-host tasks
     */
    public static Topology build(Config config, TopologyCounters counters, int eventsPartitions) {
        return build(config, counters, eventsPartitions, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** @param pointsFrom,pointsUntil the windows (by start, ms) whose points are written: a replay's range */
    public static Topology build(Config config, TopologyCounters counters, int eventsPartitions, long pointsFrom,
                                 long pointsUntil) {
        Rules rules = new Rules(config, eventsPartitions, pointsFrom, pointsUntil);
        String points = config.get(CommonKeys.POINTS_TOPIC);
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(JournalStore.builder(HostWindows.STORE).withLoggingEnabled(CHANGELOG));
        builder.addStateStore(JournalStore.builder(FleetWindows.STORE).withLoggingEnabled(CHANGELOG));

        KStream<String, byte[]> hostOutput = builder
                .stream(config.get(CommonKeys.EVENTS_TOPIC),
                        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("events"))
                .process(() -> new HostWindows(rules, counters), Named.as("host-windows"), HostWindows.STORE);
        // host-windows forwards each record to one of its two children by name: points to the points topic,
        // partials and watermarks through the repartition topic to the fleet stage
        hostOutput.to(points, Produced.with(Serdes.String(), Serdes.ByteArray()).withName(HostWindows.TO_POINTS)
                .withStreamPartitioner(new PointsLanes()));
        hostOutput.repartition(Repartitioned.<String, byte[]>as(FLEET_PARTIALS)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.ByteArray())
                        .withStreamPartitioner(new FleetRecord.Partitioner()))
                .process(() -> new FleetWindows(rules, counters), Named.as("fleet-windows"), FleetWindows.STORE)
                .to(points, Produced.with(Serdes.String(), Serdes.ByteArray()).withName(FleetWindows.TO_POINTS)
                        .withStreamPartitioner(new PointsLanes()));
        // building with properties only to opt in to Kafka 5.0's default now: without it Kafka Streams warns
        // about the global processing exception handler at every start
        Properties props = new Properties();
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        Topology topology = builder.build(props);
        requireChildren(topology, "host-windows", HostWindows.TO_POINTS, HostWindows.TO_FLEET);
        requireChildren(topology, "fleet-windows", FleetWindows.TO_POINTS);
        return topology;
    }

    /** The processors forward to children by name: fail at build, not at the first record, if one is missing. */
    private static void requireChildren(Topology topology, String node, String... children) {
        for (TopologyDescription.Subtopology sub : topology.describe().subtopologies()) {
            for (TopologyDescription.Node n : sub.nodes()) {
                if (n.name().equals(node)) {
                    java.util.Set<String> names = new java.util.HashSet<>();
                    n.successors().forEach(c -> names.add(c.name()));
                    for (String child : children) {
                        if (!names.contains(child)) {
                            throw new IllegalStateException(node + " has no child " + child + ": " + names);
                        }
                    }
                    return;
                }
            }
        }
        throw new IllegalStateException("no node " + node);
    }
}
