package dev.riffle.topology;

import dev.riffle.config.Config;
import dev.riffle.core.GraphitePath;
import dev.riffle.core.Point;
import dev.riffle.core.PointCodec;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The semantics read from configuration, shared by both stages: window and lateness, expiry, routing, and how
 * an aggregate becomes points (result service names and values). See README "Semantics".
 */
final class Rules {
    static final String RAW_EVENTS_PROCESSED = "raw-events-processed";
    static final String LATE_EVENTS = "late-events";
    static final String UNKNOWN_KINDS = "unknown-kinds";
    static final String POINTS_EMITTED = "points-emitted";

    final long windowMs;
    final long graceMs;
    final long defaultTtlMs;
    final long fleetLatenessMs;
    final long liveLagMs;
    final boolean untaggedAsGauge;
    final String selfHost;
    final Router router;
    private final String meterSuffix;
    private final String occurrenceSuffix;
    private final String percentileSuffix;
    private final List<String> percentiles;
    private final double[] ranks;

    Rules(Config config) {
        windowMs = config.get(TopologyKeys.WINDOW_SECONDS) * 1000L;
        graceMs = config.get(TopologyKeys.GRACE_MS);
        defaultTtlMs = config.get(TopologyKeys.DEFAULT_TTL_SECONDS) * 1000L;
        fleetLatenessMs = config.get(TopologyKeys.FLEET_LATENESS_MS);
        liveLagMs = config.get(TopologyKeys.LIVE_LAG_MS);
        untaggedAsGauge = config.get(TopologyKeys.UNTAGGED_AS_GAUGE);
        selfHost = config.get(TopologyKeys.SELF_HOST);
        router = new Router(config.get(TopologyKeys.ENVIRONMENTS), config.get(TopologyKeys.FLEET_HOSTS));
        meterSuffix = config.get(TopologyKeys.METER_SUFFIX);
        occurrenceSuffix = config.get(TopologyKeys.OCCURRENCE_SUFFIX);
        percentileSuffix = config.get(TopologyKeys.PERCENTILE_SUFFIX);
        percentiles = config.get(TopologyKeys.PERCENTILES);
        ranks = new double[percentiles.size()];
        for (int i = 0; i < ranks.length; i++) {
            ranks[i] = Double.parseDouble(percentiles.get(i));
            if (!(ranks[i] >= 0 && ranks[i] <= 1)) {
                throw new dev.riffle.config.ConfigException(TopologyKeys.PERCENTILES.name() + ": got '"
                        + percentiles.get(i) + "', expected numbers from 0 to 1");
            }
        }
    }

    /** An event's expiry: its time plus its ttl, else plus the default ttl. */
    long expiry(long timeMs, Float ttlSeconds) {
        return timeMs + (ttlSeconds == null || !(ttlSeconds > 0) ? defaultTtlMs : (long) (ttlSeconds * 1000.0));
    }

    /** Forwards the points of one series in one window; returns how many. */
    int emit(Aggregate a, long start, ProcessorContext<String, byte[]> context) {
        Series s = a.series;
        switch (s.kind()) {
            case METER -> forward(context, s.host(), s.service() + " " + meterSuffix, a.sum * 1000.0 / windowMs, start);
            case GAUGE -> forward(context, s.host(), s.service(), a.lastValue, start);
            case OCCURRENCE -> forward(context, s.host(), s.service() + " " + occurrenceSuffix, 1.0, start);
            case HISTOGRAM -> {
                for (int i = 0; i < ranks.length; i++) {
                    forward(context, s.host(), s.service() + " " + percentileSuffix + " " + percentiles.get(i),
                            a.values.valueAt(ranks[i]), start);
                }
                return ranks.length;
            }
        }
        return 1;
    }

    /** The 0.0 a silent meter gets while its last event has not expired. */
    void emitZero(Series meter, long start, ProcessorContext<String, byte[]> context) {
        forward(context, meter.host(), meter.service() + " " + meterSuffix, 0.0, start);
    }

    private static void forward(ProcessorContext<String, byte[]> context, String host, String service, double value,
                                long start) {
        Point point = new Point(value, Math.floorDiv(start, 1000));
        context.forward(new Record<>(GraphitePath.of(host, service), PointCodec.encode(point), start));
    }
}
