package dev.riffle.topology;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The one entry point that builds the stream processing: what runs in {@code riffle streams} and what the
 * TopologyTestDriver tests drive. Reads top to bottom the way the data flows:
 * events -> per-host windows -> points, and partials -> repartition by fleet series -> fleet windows -> points.
 */
public final class RiffleTopology {
    static final String FLEET_PARTIALS = "fleet-partials";

    private RiffleTopology() {
    }

    public static Topology build(Config config) {
        return build(config, new TopologyCounters());
    }

    public static Topology build(Config config, TopologyCounters counters) {
        Rules rules = new Rules(config);
        String points = config.get(CommonKeys.POINTS_TOPIC);
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(JournalStore.builder(HostWindows.STORE).withLoggingEnabled(Map.of()));
        builder.addStateStore(JournalStore.builder(FleetWindows.STORE).withLoggingEnabled(Map.of()));

        KStream<String, byte[]> hostOutput = builder
                .stream(config.get(CommonKeys.EVENTS_TOPIC),
                        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("events"))
                .process(() -> new HostWindows(rules, counters), Named.as("host-windows"), HostWindows.STORE);
        hostOutput.filterNot((key, value) -> FleetRecord.isFleetRecord(value), Named.as("host-points"))
                .to(points, Produced.with(Serdes.String(), Serdes.ByteArray()).withName("host-points-out"));
        hostOutput.filter((key, value) -> FleetRecord.isFleetRecord(value), Named.as("host-partials"))
                .repartition(Repartitioned.<String, byte[]>as(FLEET_PARTIALS)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.ByteArray())
                        .withStreamPartitioner(new FleetRecord.Partitioner()))
                .process(() -> new FleetWindows(rules, counters), Named.as("fleet-windows"), FleetWindows.STORE)
                .to(points, Produced.with(Serdes.String(), Serdes.ByteArray()).withName("fleet-points-out"));
        // building with properties only to opt in to Kafka 5.0's default now: without it Kafka Streams warns
        // about the global processing exception handler at every start
        Properties props = new Properties();
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        return builder.build(props);
    }
}
