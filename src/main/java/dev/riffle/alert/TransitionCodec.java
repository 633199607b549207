package dev.riffle.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.riffle.core.EventCodec.MalformedException;
import java.util.Map;

/**
 * The value format of the alerts topic, versioned JSON:
 * <pre>
 * {"v":1,"rule":"slow-search","series":"production.box1.search-time.value.99","status":"firing",
 *  "at_ms":1700000015000,"starts_at_ms":1700000015000,"value":612.0,"labels":{"alertname":"slow-search",...},
 *  "summary":"box1 search p99 612 ms (> 500)"}
 * </pre>
 * {@code value} is omitted when there is none. Readers ignore unknown fields and refuse newer versions.
 */
public final class TransitionCodec {
    static final int VERSION = 1;

    private TransitionCodec() {
    }

    public static byte[] encode(Transition t) {
        ObjectNode n = VersionedJson.object(VERSION);
        n.put("rule", t.rule());
        n.put("series", t.series());
        n.put("status", t.status().name().toLowerCase(java.util.Locale.ROOT));
        n.put("at_ms", t.atMs());
        n.put("starts_at_ms", t.startsAtMs());
        if (!Double.isNaN(t.value())) {
            n.put("value", t.value());
        }
        VersionedJson.putMap(n, "labels", t.labels());
        n.put("summary", t.summary());
        return VersionedJson.bytes(n);
    }

    /** @throws MalformedException for anything that is not a transition of a version we know */
    public static Transition decode(byte[] bytes) {
        JsonNode n = VersionedJson.read(bytes, VERSION);
        try {
            String rule = text(n, "rule");
            String series = text(n, "series");
            Transition.Status status = Transition.Status.valueOf(text(n, "status").toUpperCase(java.util.Locale.ROOT));
            if (!n.path("at_ms").canConvertToLong() || !n.path("starts_at_ms").canConvertToLong()) {
                throw new MalformedException("at_ms and starts_at_ms required");
            }
            return new Transition(rule, series, status, n.get("at_ms").asLong(), n.get("starts_at_ms").asLong(),
                    n.has("value") ? n.get("value").asDouble() : Double.NaN, Map.copyOf(VersionedJson.map(n, "labels")),
                    n.path("summary").asText(""));
        } catch (IllegalArgumentException e) {
            throw new MalformedException("not a transition: " + e.getMessage());
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode f = n.get(field);
        if (f == null || !f.isTextual()) {
            throw new MalformedException("field " + field + " required");
        }
        return f.asText();
    }
}
