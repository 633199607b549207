package dev.riffle.topology;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The one entry point that builds the stream processing: what runs in {@code riffle streams} and what the
 * TopologyTestDriver tests drive. Reads top to bottom the way the data flows.
 */
public final class RiffleTopology {
    private RiffleTopology() {
    }

    public static Topology build(Config config) {
        return build(config, new TopologyCounters());
    }

    public static Topology build(Config config, TopologyCounters counters) {
        Router router = new Router(config.get(TopologyKeys.ENVIRONMENTS));
        long windowMs = config.get(TopologyKeys.WINDOW_SECONDS) * 1000L;
        long graceMs = config.get(TopologyKeys.GRACE_MS);
        String meterSuffix = config.get(TopologyKeys.METER_SUFFIX);

        Topology topology = new Topology();
        topology.addSource("events", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                config.get(CommonKeys.EVENTS_TOPIC));
        topology.addProcessor("meter-windows",
                () -> new MeterWindows(router, windowMs, graceMs, meterSuffix, counters), "events");
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(MeterWindows.STORE), Serdes.String(), Serdes.Double()), "meter-windows");
        topology.addSink("points", config.get(CommonKeys.POINTS_TOPIC), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), "meter-windows");
        return topology;
    }
}
