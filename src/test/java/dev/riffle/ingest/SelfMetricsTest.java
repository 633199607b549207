package dev.riffle.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.riffle.core.Event;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SelfMetricsTest {
    final IngestCounters counters = new IngestCounters();
    final SelfMetrics self = new SelfMetrics(counters, null, null, "riffle");

    Map<String, Double> report() {
        List<Event> events = self.report(1_000_000L);
        for (Event e : events) {
            // the topology's self host: it never copies these to an all-hosts series
            assertEquals("riffle", e.host());
            assertEquals(List.of("meter"), e.tags());
            assertEquals(1_000_000L, e.timeMicros());
        }
        return events.stream().collect(Collectors.toMap(Event::service, Event::metric, (a, b) -> a));
    }

    @Test
    void everyCounterIsReportedAsItsIncreaseSinceTheLastReport() {
        counters.received(10);
        counters.reject(IngestCounters.Reason.MALFORMED_LINE, "x");
        Map<String, Double> first = report();
        assertEquals(10.0, first.get("bridge events-received"));
        assertEquals(1.0, first.get("bridge refused malformed-line"));
        assertEquals(0.0, first.get("bridge dropped memory-full"));
        long refusalReasons = java.util.Arrays.stream(IngestCounters.Reason.values())
                .filter(r -> r.group == IngestCounters.Group.REFUSED).count();
        // every refusal counter but malformed-line is still zero: left out
        assertEquals(2 + IngestCounters.Reason.values().length - (refusalReasons - 1), first.size());
        assertNull(first.get("bridge refused malformed-message"));

        counters.received(3);
        Map<String, Double> second = report();
        assertEquals(3.0, second.get("bridge events-received"));
        // once non-zero, a refusal counter is reported for good, zero increases too
        assertEquals(0.0, second.get("bridge refused malformed-line"));
        assertNull(second.get("bridge refused oversized-line"));
        counters.reject(IngestCounters.Reason.OVERSIZED_LINE, "y");
        assertEquals(1.0, report().get("bridge refused oversized-line"));
        assertEquals(0.0, report().get("bridge refused oversized-line"));
    }
}
