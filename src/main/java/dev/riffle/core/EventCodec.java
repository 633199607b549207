package dev.riffle.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The value format of the events topic: a batch of events of one host, as versioned JSON.
 *
 * <pre>
 * {"v":1,"events":[{"time_micros":1700000000000000,"host":"box1","service":"foo","state":"ok",
 *   "description":"...","tags":["production","meter"],"attributes":{"k":"v"},"metric":1.5,"ttl":60.0}]}
 * </pre>
 *
 * Absent optional fields are omitted. Readers ignore fields they do not know, so a later version may add
 * fields; a change of meaning bumps {@code v}, and a reader refuses versions newer than it knows.
 */
public final class EventCodec {
    public static final int VERSION = 1;
    private static final JsonFactory JSON = new JsonFactory();

    private EventCodec() {
    }

    public static byte[] encode(List<Event> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 160 * events.size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeArrayFieldStart("events");
            for (Event e : events) {
                writeEvent(g, e);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Decodes one record value; throws {@link MalformedException} for anything that is not a valid batch. */
    public static List<Event> decode(byte[] bytes) {
        if (bytes == null) {
            throw new MalformedException("null value");
        }
        try (JsonParser p = JSON.createParser(bytes)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            List<Event> events = null;
            int version = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "v" -> version = p.getIntValue();
                    case "events" -> {
                        expect(value, JsonToken.START_ARRAY);
                        events = new ArrayList<>();
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            events.add(readEvent(p));
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (version < 1 || version > VERSION) {
                throw new MalformedException("unsupported version " + version);
            }
            if (events == null) {
                throw new MalformedException("no events field");
            }
            return events;
        } catch (IOException | RuntimeException e) {
            throw e instanceof MalformedException m ? m : new MalformedException(e.getMessage());
        }
    }

    private static void writeEvent(JsonGenerator g, Event e) throws IOException {
        g.writeStartObject();
        g.writeNumberField("time_micros", e.timeMicros());
        g.writeStringField("host", e.host());
        g.writeStringField("service", e.service());
        if (e.state() != null) {
            g.writeStringField("state", e.state());
        }
        if (e.description() != null) {
            g.writeStringField("description", e.description());
        }
        if (!e.tags().isEmpty()) {
            g.writeArrayFieldStart("tags");
            for (String t : e.tags()) {
                g.writeString(t);
            }
            g.writeEndArray();
        }
        if (!e.attributes().isEmpty()) {
            g.writeObjectFieldStart("attributes");
            for (Map.Entry<String, String> a : e.attributes().entrySet()) {
                g.writeStringField(a.getKey(), a.getValue());
            }
            g.writeEndObject();
        }
        if (e.metric() != null) {
            g.writeNumberField("metric", e.metric());
        }
        if (e.ttl() != null) {
            g.writeNumberField("ttl", e.ttl());
        }
        g.writeEndObject();
    }

    private static Event readEvent(JsonParser p) throws IOException {
        long time = Long.MIN_VALUE;
        String host = null;
        String service = null;
        String state = null;
        String description = null;
        List<String> tags = List.of();
        Map<String, String> attributes = Map.of();
        Double metric = null;
        Float ttl = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "time_micros" -> time = p.getLongValue();
                case "host" -> host = p.getValueAsString();
                case "service" -> service = p.getValueAsString();
                case "state" -> state = p.getValueAsString();
                case "description" -> description = p.getValueAsString();
                case "tags" -> {
                    expect(value, JsonToken.START_ARRAY);
                    tags = new ArrayList<>(4);
                    while (p.nextToken() == JsonToken.VALUE_STRING) {
                        tags.add(p.getText());
                    }
                    expect(p.currentToken(), JsonToken.END_ARRAY);
                }
                case "attributes" -> {
                    expect(value, JsonToken.START_OBJECT);
                    attributes = new LinkedHashMap<>();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        p.nextToken();
                        attributes.put(key, p.getValueAsString());
                    }
                }
                case "metric" -> metric = value == JsonToken.VALUE_NULL ? null : p.getDoubleValue();
                case "ttl" -> ttl = value == JsonToken.VALUE_NULL ? null : p.getFloatValue();
                default -> p.skipChildren();
            }
        }
        if (time == Long.MIN_VALUE || host == null || service == null) {
            throw new MalformedException("event needs time_micros, host and service");
        }
        return new Event(time, host, service, state, description, tags, attributes, metric, ttl);
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new MalformedException("expected " + expected + " but found " + actual);
        }
    }

    /** A record value that is not a valid event batch. */
    public static final class MalformedException extends RuntimeException {
        public MalformedException(String message) {
            super(message, null, false, false);
        }
    }
}
