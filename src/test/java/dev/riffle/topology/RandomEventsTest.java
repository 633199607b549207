package dev.riffle.topology;

import dev.riffle.core.Event;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property test: random event sets (hosts, services, every kind, every environment, out of order within the
 * grace, batched per host) through the topology give exactly the brute-force oracle's points.
 */
class RandomEventsTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void topologyAgreesWithTheOracle(long seed) {
        List<List<Event>> records = EventSets.random(seed, 1500, 25, 8, 150_000, 1_000);
        try (Harness h = new Harness()) {
            records.forEach(h::sendBatch);
            // a bridge's tick an hour on (the partition had none so far: it closed by event time until now)
            h.tick(records.get(records.size() - 1).get(0).timeMillis() + 3_600_000);
            List<String> lines = h.lines();
            EventSets.assertWrittenOnce(lines, false);
            EventSets.assertSamePoints(new Oracle(60_000).points(EventSets.flat(records)), EventSets.asCarbon(lines));
            org.junit.jupiter.api.Assertions.assertEquals(0, h.counters.lateEvents());
        }
    }
}
