package dev.riffle.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.riffle.core.EventCodec.MalformedException;
import dev.riffle.core.GraphiteGlob;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

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
    private static final ObjectMapper JSON = new ObjectMapper();

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
        ObjectNode n = JSON.createObjectNode();
        n.put("v", VERSION);
        n.put("id", id);
        ObjectNode m = n.putObject("matchers");
        new TreeMap<>(matchers).forEach(m::put);
        n.put("starts_at_ms", startsAtMs);
        n.put("ends_at_ms", endsAtMs);
        n.put("created_by", createdBy);
        n.put("comment", comment);
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static Silence decode(byte[] bytes) {
        if (bytes == null) {
            throw new MalformedException("null value");
        }
        try {
            JsonNode n = JSON.readTree(bytes);
            int v = n.path("v").asInt(-1);
            if (v < 1 || v > VERSION) {
                throw new MalformedException("unsupported version " + v);
            }
            Map<String, String> matchers = new LinkedHashMap<>();
            n.path("matchers").fields().forEachRemaining(e -> matchers.put(e.getKey(), e.getValue().asText()));
            if (!n.path("id").isTextual() || matchers.isEmpty()) {
                throw new MalformedException("a silence needs an id and at least one matcher");
            }
            return new Silence(n.get("id").asText(), matchers, n.path("starts_at_ms").asLong(),
                    n.path("ends_at_ms").asLong(), n.path("created_by").asText(""), n.path("comment").asText(""));
        } catch (IOException | IllegalArgumentException e) {
            throw new MalformedException("not a silence: " + e.getMessage());
        }
    }
}
