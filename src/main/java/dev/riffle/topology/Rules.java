package dev.riffle.topology;

import dev.riffle.config.Config;
import dev.riffle.core.SeriesId;
import dev.riffle.core.Statistic;
import java.util.List;

/**
 * The semantics read from configuration, shared by both stages: window and lateness, expiry, routing, and how
 * an aggregate becomes points (result service names and values). See README "Semantics".
 */
final class Rules {
    static final String RAW_EVENTS_PROCESSED = "raw-events-processed";
    static final String LATE_EVENTS = "late-events";
    static final String UNKNOWN_KINDS = "unknown-kinds";
    static final String POINTS_EMITTED = "points-emitted";
    static final String CLOCK_AHEAD = "clock-ahead-events";

    final long windowMs;
    final long graceMs;
    final long defaultTtlMs;
    final long fleetLatenessMs;
    final long maxClockAheadMs;
    final long bridgeTimeoutMs;
    final int closeSlicePoints;
    final boolean untaggedAsGauge;
    final String selfHost;
    final Router router;
    private final String meterSuffix;
    private final String occurrenceSuffix;
    private final String percentileSuffix;
    private final List<String> percentiles;
    private final double[] ranks;
    /** each kind's statistics, made once: every series' identities share them */
    private final Statistic[] meterStatistics;
    private final Statistic[] gaugeStatistics;
    private final Statistic[] occurrenceStatistics;
    private final Statistic[] percentileStatistics;

    /** the events topic's partitions as known at start, 0 when unknown */
    final int eventsPartitions;
    /** points are written for windows starting in [pointsFrom, pointsUntil] only (a replay's range) */
    final long pointsFrom;
    final long pointsUntil;

    Rules(Config config) {
        this(config, 0, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    Rules(Config config, int eventsPartitions, long pointsFrom, long pointsUntil) {
        this.eventsPartitions = eventsPartitions;
        this.pointsFrom = pointsFrom;
        this.pointsUntil = pointsUntil;
        windowMs = config.get(TopologyKeys.WINDOW_SECONDS) * 1000L;
        graceMs = config.get(TopologyKeys.GRACE_MS);
        defaultTtlMs = config.get(TopologyKeys.DEFAULT_TTL_SECONDS) * 1000L;
        fleetLatenessMs = config.get(TopologyKeys.FLEET_LATENESS_MS);
        maxClockAheadMs = config.get(TopologyKeys.MAX_CLOCK_AHEAD_MS);
        bridgeTimeoutMs = config.get(TopologyKeys.BRIDGE_TIMEOUT_MS);
        closeSlicePoints = config.get(TopologyKeys.CLOSE_SLICE_POINTS);
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
        meterStatistics = new Statistic[] {Statistic.rate(meterSuffix)};
        gaugeStatistics = new Statistic[] {Statistic.value()};
        occurrenceStatistics = new Statistic[] {Statistic.occurrences(occurrenceSuffix)};
        percentileStatistics = new Statistic[ranks.length];
        for (int i = 0; i < ranks.length; i++) {
            percentileStatistics[i] = Statistic.percentile(percentileSuffix, percentiles.get(i));
        }
    }

    /** An event's expiry: its time plus its ttl, else plus the default ttl. */
    long expiry(long timeMs, Float ttlSeconds) {
        return timeMs + (ttlSeconds == null || !(ttlSeconds > 0) ? defaultTtlMs : (long) (ttlSeconds * 1000.0));
    }

    /**
     * The typed identities of a series' points, one per point in emission order (a meter's rate, a gauge's value,
     * an occurrence, a histogram's percentiles in the configured order); {@code fleet}: the series is the fleet
     * stage's (its host a pseudo-host or the self host).
     */
    SeriesId[] ids(Series s, boolean fleet) {
        String env;
        String host;
        if (fleet) {
            host = s.host();
            env = host.equals(selfHost) ? "" : router.environmentOfFleetHost(host);
        } else {
            String[] split = router.splitEnvHost(s.host(), s.fleetHost());
            env = split[0];
            host = split[1];
        }
        Statistic[] statistics = switch (s.kind()) {
            case METER -> meterStatistics;
            case GAUGE -> gaugeStatistics;
            case OCCURRENCE -> occurrenceStatistics;
            case HISTOGRAM -> percentileStatistics;
        };
        SeriesId[] ids = new SeriesId[statistics.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = new SeriesId(env, host, fleet, s.service(), statistics[i]);
        }
        return ids;
    }

    /** The values of an aggregate's points, in the order of {@link #ids}. */
    double[] values(Aggregate a) {
        return switch (a.series.kind()) {
            case METER -> new double[] {a.sum * 1000.0 / windowMs};
            case GAUGE -> new double[] {a.lastValue};
            case OCCURRENCE -> new double[] {1.0};
            case HISTOGRAM -> {
                double[] out = new double[ranks.length];
                for (int i = 0; i < ranks.length; i++) {
                    out[i] = a.values.valueAt(ranks[i]);
                }
                yield out;
            }
        };
    }
}
