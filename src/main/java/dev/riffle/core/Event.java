package dev.riffle.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One application event, as Riemann knows it: who (host), what (service, tags), how much (metric), when (time).
 *
 * <p>{@code metric} and {@code ttl} are null when the sender did not set them: a meter counts a missing metric
 * as 1, and expiry falls back to the configured default when there is no ttl.
 *
 * @param timeMicros  event time in microseconds since the epoch (the sender's, else the bridge's receive time)
 * @param tags        never null; order as sent
 * @param attributes  never null; custom key/value pairs as sent
 */
public record Event(
        long timeMicros,
        String host,
        String service,
        String state,
        String description,
        List<String> tags,
        Map<String, String> attributes,
        Double metric,
        Float ttl) {

    public Event {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(service, "service");
        tags = tags == null ? List.of() : tags;
        attributes = attributes == null ? Map.of() : attributes;
    }

    /** A minimal event: what most tests and the {@code send} command need. */
    public static Event of(long timeMicros, String host, String service, List<String> tags, Double metric) {
        return new Event(timeMicros, host, service, null, null, tags, Map.of(), metric, null);
    }

    public long timeMillis() {
        return Math.floorDiv(timeMicros, 1000L);
    }

    public boolean hasTag(String tag) {
        return tags.contains(tag);
    }
}
