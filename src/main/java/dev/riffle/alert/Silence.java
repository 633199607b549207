package dev.riffle.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.riffle.core.EventCodec.MalformedException;
import dev.riffle.core.GraphiteGlob;
import java.util.Map;

/**
 * A silence: alerts whose labels match every matcher (label = Graphite glob, {@code host=box1},
 * {@code series=production.*.page-views.*}) are not notified from {@code startsAtMs} until {@code endsAtMs}
 * (wall clock). Kept in the compacted silences topic keyed by id, as versioned JSON:
 * <pre>{"v":1,"id":"...","matchers":{"alertname":"host-silent"},"starts_at_ms":..,"ends_at_ms":..,
 *  "created_by":"ops","comment":"maintenance"}</pre>
 * Expiring a silence rewrites it with {@code ends_at_ms} = now.
 */
public record Silence(String id, Map<String, String> matchers, long startsAtMs, long endsAtMs, String createdBy,
                      String comment) {
    static final int VERSION = 1;

    public Silence {
        matchers = Map.copyOf(matchers);
        for (Map.Entry<String, String> m : matchers.entrySet()) {
            GraphiteGlob.compile(m.getValue()); // refuses a bad pattern at creation
        }
    }

    public boolean activeAt(long nowMs) {
        return startsAtMs <= nowMs && nowMs < endsAtMs;
    }

    public boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> m : matchers.entrySet()) {
            String v = labels.get(m.getKey());
            if (v == null || !GraphiteGlob.compile(m.getValue()).matches(v)) {
                return false;
            }
        }
        return true;
    }

    public byte[] encode() {
        ObjectNode n = VersionedJson.object(VERSION);
        n.put("id", id);
        VersionedJson.putMap(n, "matchers", matchers);
        n.put("starts_at_ms", startsAtMs);
        n.put("ends_at_ms", endsAtMs);
        n.put("created_by", createdBy);
        n.put("comment", comment);
        return VersionedJson.bytes(n);
    }

    public static Silence decode(byte[] bytes) {
        JsonNode n = VersionedJson.read(bytes, VERSION);
        Map<String, String> matchers = VersionedJson.map(n, "matchers");
        if (!n.path("id").isTextual() || matchers.isEmpty()) {
            throw new MalformedException("a silence needs an id and at least one matcher");
        }
        try {
            return new Silence(n.get("id").asText(), matchers, n.path("starts_at_ms").asLong(),
                    n.path("ends_at_ms").asLong(), n.path("created_by").asText(""), n.path("comment").asText(""));
        } catch (IllegalArgumentException e) {
            throw new MalformedException("not a silence: " + e.getMessage());
        }
    }
}
