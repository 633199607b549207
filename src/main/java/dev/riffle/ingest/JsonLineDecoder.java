package dev.riffle.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.riffle.core.Event;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JSON object per line with a Riemann event's fields:
 * {@code {"host":"box1","service":"api latency","metric":12.5,"tags":["production","timer"],"time":1700000000.25}}.
 * {@code time} is in seconds and may be fractional; {@code time_micros} wins over it; with neither, the receive
 * time. Unknown fields are ignored. NaN and Infinity are read so that they can be counted as non-finite metrics
 * rather than as unreadable lines.
 */
final class JsonLineDecoder implements LineDecoder {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    @Override
    public void decodeLine(byte[] buf, int offset, int length, long receiveMicros, List<Event> into) {
        // checked first so that bad bytes are counted as such, not as bad JSON
        String line = Utf8.decode(buf, offset, length);
        try (JsonParser p = JSON.createParser(line)) {
            into.add(readEvent(p, receiveMicros));
            if (p.nextToken() != null) {
                throw malformed("more than one JSON value on the line");
            }
        } catch (IOException e) {
            throw malformed("not JSON: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage()));
        }
    }

    private static Event readEvent(JsonParser p, long receiveMicros) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw malformed("expected a JSON object");
        }
        String host = null;
        String service = null;
        String state = null;
        String description = null;
        List<String> tags = new ArrayList<>(4);
        Map<String, String> attributes = new LinkedHashMap<>();
        Double metric = null;
        Float ttl = null;
        Double seconds = null;
        Long micros = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "host" -> host = text(p, value);
                case "service" -> service = text(p, value);
                case "state" -> state = text(p, value);
                case "description" -> description = text(p, value);
                case "tags" -> {
                    expect(value == JsonToken.START_ARRAY, "tags must be an array of strings");
                    while (p.nextToken() == JsonToken.VALUE_STRING) {
                        tags.add(p.getText());
                    }
                    expect(p.currentToken() == JsonToken.END_ARRAY, "tags must be an array of strings");
                }
                case "attributes" -> {
                    expect(value == JsonToken.START_OBJECT, "attributes must be an object");
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        attributes.put(key, text(p, p.nextToken()));
                    }
                }
                case "metric" -> metric = value == JsonToken.VALUE_NULL ? null : number(p, value);
                case "ttl" -> ttl = value == JsonToken.VALUE_NULL ? null : (float) number(p, value);
                case "time" -> seconds = value == JsonToken.VALUE_NULL ? null : number(p, value);
                case "time_micros" -> {
                    expect(value == JsonToken.VALUE_NUMBER_INT, "time_micros must be an integer");
                    micros = p.getLongValue();
                }
                default -> p.skipChildren();
            }
        }
        EventCheck.require(host, service, metric);
        if (ttl != null && !(ttl > 0 && Float.isFinite(ttl))) {
            ttl = null; // as over protobuf: a nonsensical ttl means the default expiry
        }
        long time = micros != null ? micros
                : seconds != null && Double.isFinite(seconds) ? (long) Math.floor(seconds * 1e6 + 0.5) : receiveMicros;
        return new Event(time, host, service, state, description, tags, attributes, metric, ttl);
    }

    private static String text(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(value != null && value.isScalarValue(), "expected text for " + p.currentName());
        return p.getText();
    }

    private static double number(JsonParser p, JsonToken value) throws IOException {
        expect(value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT,
                "expected a number for " + p.currentName());
        return p.getDoubleValue();
    }

    private static void expect(boolean ok, String detail) {
        if (!ok) {
            throw malformed(detail);
        }
    }

    private static MalformedInputException malformed(String detail) {
        return new MalformedInputException(IngestCounters.Reason.MALFORMED_LINE, detail);
    }
}
