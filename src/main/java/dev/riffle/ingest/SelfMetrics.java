package dev.riffle.ingest;

import dev.riffle.core.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's counters as events in the events topic, so they become points like any application's: host
 * {@code riffle}, service {@code bridge <counter>} (e.g. {@code bridge events-received},
 * {@code bridge refused malformed-message}), tagged {@code meter}, metric = the increase since the last report.
 * Every counter is reported each time, zero included, so a graph shows 0 rather than a gap; except the refusal
 * counters ({@code bridge refused *}), which are left out while they have never been above zero: a dozen reasons
 * of zeros every 5 s only hide the points a newcomer is looking for.
 */
final class SelfMetrics implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SelfMetrics.class);
    static final String SERVICE_PREFIX = "bridge ";
    private static final String REFUSED_PREFIX = IngestCounters.Group.REFUSED.label + " ";

    private final IngestCounters counters;
    private final EventPublisher publisher;
    private final ArrivalClock.Lane lane;
    private final Map<String, Long> last = new HashMap<>();

    private final String host;

    /** @param host the host of Riffle's own figures ({@code topology.self_host}) */
    SelfMetrics(IngestCounters counters, EventPublisher publisher, ArrivalClock.Lane lane, String host) {
        this.host = host;
        this.counters = counters;
        this.publisher = publisher;
        this.lane = lane;
    }

    /** The events describing the increase of every counter since the previous call. */
    List<Event> report(long nowMicros) {
        List<Event> events = new ArrayList<>();
        counters.snapshot().forEach((name, value) -> {
            if (value == 0 && name.startsWith(REFUSED_PREFIX)) {
                return; // never refused anything for this reason (the counter only grows)
            }
            long increase = value - last.getOrDefault(name, 0L);
            last.put(name, value);
            events.add(Event.of(nowMicros, host, SERVICE_PREFIX + name, List.of("meter"), (double) increase));
        });
        return events;
    }

    @Override
    public void run() {
        // not through the intake: these are not received input, and must never wait for Kafka
        long now = lane.arrive();
        try {
            publisher.offerOwn(report(now), now);
        } catch (RuntimeException e) {
            log.warn("could not publish the bridge's self metrics: {}", e.toString()); // and try again next time
        } finally {
            lane.published();
            lane.drained(); // it has no input that could have queued
        }
    }
}
