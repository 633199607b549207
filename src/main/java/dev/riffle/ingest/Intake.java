package dev.riffle.ingest;

import dev.riffle.core.Event;
import java.util.List;

/**
 * Where every listener hands its decoded events with their receive stamp (from the listener's
 * {@link ArrivalClock.Lane}): counts them, sets absurd event times to the receive time
 * (counted), and passes them to the publisher, without waiting (UDP) or waiting for room (TCP).
 * "Events in" counts what passes here: decoded events that met every rule.
 *
 * <p>An absurd time would put the event in a window older than anything a replay can reach, or hold a window open
 * for as long as it is ahead; the receive time is the best guess of when it happened. Smaller offsets are left to
 * the topology, which judges an event's time against its arrival (the receive stamp carried in the record).
 */
final class Intake {
    private final EventPublisher publisher;
    private final IngestCounters counters;
    private final long maxFutureMicros;
    private final long maxAgeMicros;

    Intake(EventPublisher publisher, IngestCounters counters, long maxFutureMicros, long maxAgeMicros) {
        this.publisher = publisher;
        this.counters = counters;
        this.maxFutureMicros = maxFutureMicros;
        this.maxAgeMicros = maxAgeMicros;
    }

    /**
     * UDP: never waits; drops (counted) when Kafka is behind. Here and in {@link #put}, the list must be mutable:
     * clamped events are replaced in place.
     */
    void offer(List<Event> events, long receivedMicros) {
        if (!events.isEmpty()) {
            publisher.offer(admit(events, receivedMicros), receivedMicros);
        }
    }

    /**
     * TCP: waits for room in the memory budget, hands the events to the producer, and returns Kafka's answer to
     * come (settled at once when there are no events).
     */
    Ack put(List<Event> events, long receivedMicros) throws InterruptedException {
        if (events.isEmpty()) {
            return Ack.DONE;
        }
        return publisher.publish(admit(events, receivedMicros), receivedMicros);
    }

    /** @param now the receive stamp of the events (the earliest, for several reads gathered) */
    private List<Event> admit(List<Event> events, long now) {
        counters.received(events.size());
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            IngestCounters.Reason clamp = e.timeMicros() > now + maxFutureMicros
                    ? IngestCounters.Reason.TIME_IN_FUTURE
                    : e.timeMicros() < now - maxAgeMicros ? IngestCounters.Reason.TIME_TOO_OLD : null;
            if (clamp != null) {
                counters.count(clamp, 1, "event time " + e.timeMicros() + " of " + e.host() + " " + e.service());
                events.set(i, new Event(now, e.host(), e.service(), e.state(), e.description(), e.tags(),
                        e.attributes(), e.metric(), e.ttl()));
            }
        }
        return events;
    }
}
