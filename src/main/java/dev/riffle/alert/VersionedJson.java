package dev.riffle.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.riffle.core.EventCodec.MalformedException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The alert topics' values: a JSON object whose {@code v} is the format's version, and its string map fields. */
final class VersionedJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private VersionedJson() {
    }

    /** A new object of format {@code version}. */
    static ObjectNode object(int version) {
        ObjectNode n = JSON.createObjectNode();
        n.put("v", version);
        return n;
    }

    /** A string map as a field, keys in order (so equal values are equal bytes). */
    static void putMap(ObjectNode n, String field, java.util.Map<String, String> map) {
        ObjectNode m = n.putObject(field);
        new java.util.TreeMap<>(map).forEach(m::put);
    }

    static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The object in {@code bytes}, of a version from 1 to {@code newest}.
     *
     * @throws MalformedException for no value, no JSON, or a version this Riffle does not know
     */
    static JsonNode read(byte[] bytes, int newest) {
        if (bytes == null) {
            throw new MalformedException("null value");
        }
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new MalformedException("not JSON: " + e.getMessage());
        }
        int v = n == null ? -1 : n.path("v").asInt(-1);
        if (v < 1 || v > newest) {
            throw new MalformedException("unsupported version " + v);
        }
        return n;
    }

    /** A string map field as written by {@link #putMap}. */
    static java.util.Map<String, String> map(JsonNode n, String field) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        n.path(field).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
