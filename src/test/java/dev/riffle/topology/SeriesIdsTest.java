package dev.riffle.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.riffle.core.GraphiteNames;
import dev.riffle.core.SeriesId;
import dev.riffle.core.Statistic;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The typed identity the topology gives each point: labels a second backend can use (environment, bare host,
 * fleet pseudo-host, statistic), and exactly the Graphite path the topology wrote before typed points.
 */
class SeriesIdsTest {
    private final Rules rules = new Rules(Harness.config(TopologyKeys.FLEET_HOSTS,
            Map.of("production", "all-hosts.production", "staging", "all-hosts.staging", "", "all-hosts")));

    private SeriesId[] perHost(String host, String env, String service, Kind kind) {
        String envHost = Router.envHost(host, env);
        return rules.ids(new Series(envHost, service, kind, rules.router.fleetHost(env)), false);
    }

    @Test
    void perHostSeriesCarryEnvironmentAndBareHost() {
        SeriesId[] rate = perHost("box1", "production", "requests", Kind.METER);
        assertEquals(List.of(SeriesId.host("production", "box1", "requests", Statistic.rate("rate-per-second"))),
                List.of(rate));
        assertEquals("production.box1.requests.rate-per-second", GraphiteNames.of(rate[0]));
        SeriesId[] p = perHost("web.example.com", "staging", "search time", Kind.HISTOGRAM);
        assertEquals(5, p.length);
        assertEquals(SeriesId.host("staging", "web.example.com", "search time", Statistic.percentile("value", "0.99")),
                p[3]);
        assertEquals("staging.com.example.web.search.time.value.99", GraphiteNames.of(p[3]));
        SeriesId dev = perHost("box2", "dev", "up", Kind.OCCURRENCE)[0]; // dev merges into no fleet
        assertEquals(SeriesId.host("dev", "box2", "up", Statistic.occurrences("occurrences")), dev);
        // untagged: a host whose name ends like an environment keeps it (its fleet is all-hosts, not dev's none)
        SeriesId untagged = perHost("box3.dev", "", "load", Kind.GAUGE)[0];
        assertEquals(SeriesId.host("", "box3.dev", "load", Statistic.value()), untagged);
        assertEquals("dev.box3.load", GraphiteNames.of(untagged));
    }

    @Test
    void fleetAndSelfSeriesAreFleetAggregatesUnderTheirPseudoHost() {
        SeriesId fleet = rules.ids(new Series("all-hosts.production", "requests", Kind.METER, null), true)[0];
        assertEquals(SeriesId.fleet("production", "all-hosts.production", "requests",
                Statistic.rate("rate-per-second")), fleet);
        assertEquals("production.all-hosts.requests.rate-per-second", GraphiteNames.of(fleet));
        SeriesId untagged = rules.ids(new Series("all-hosts", "requests", Kind.METER, null), true)[0];
        assertEquals("", untagged.environment());
        assertEquals("all-hosts.requests.rate-per-second", GraphiteNames.of(untagged));
        SeriesId self = rules.ids(new Series("riffle", "late-events", Kind.METER, null), true)[0];
        assertEquals(SeriesId.fleet("", "riffle", "late-events", Statistic.rate("rate-per-second")), self);
        assertEquals("riffle.late-events.rate-per-second", GraphiteNames.of(self));
    }
}
