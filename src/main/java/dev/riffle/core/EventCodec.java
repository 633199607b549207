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
 * The value format of the events topic, as versioned JSON. A record is either a batch of events of one host,
 * with the time the bridge received them:
 *
 * <pre>
 * {"v":2,"received_micros":1700000000001000,"events":[{"time_micros":1700000000000000,"host":"box1",
 *   "service":"foo","state":"ok","description":"...","tags":["production","meter"],"attributes":{"k":"v"},
 *   "metric":1.5,"ttl":60.0}]}
 * </pre>
 *
 * or a bridge's tick, its watermark for the partition the record is in ("every event this bridge received
 * before {@code time_micros} precedes this record"; {@code bye}: the bridge stopped cleanly and is not to be
 * waited for; {@code partitions}: how many partitions the bridge writes to):
 *
 * <pre>
 * {"v":2,"tick":{"bridge":"web1:5555","time_micros":1700000000200000,"partitions":6}}
 * </pre>
 *
 * Absent optional fields are omitted. Readers ignore fields they do not know, so a later version may add
 * fields; a change of meaning bumps {@code v}, and a reader refuses versions newer than it knows. Version 1
 * (before ticks) had no {@code received_micros}; it is still read.
 */
public final class EventCodec {
    public static final int VERSION = 2;
    private static final JsonFactory JSON = new JsonFactory();

    private EventCodec() {
    }

    /** What one record of the events topic holds. */
    public sealed interface Contents permits Batch, Tick {
    }

    /**
     * Events of one host.
     *
     * @param receivedMicros when the bridge received them (the earliest receive time in the batch), null when
     *                       the writer did not say (version 1, or another producer)
     */
    public record Batch(Long receivedMicros, List<Event> events) implements Contents {
    }

    /** A bridge's watermark for one partition, or its goodbye ({@code bye}). */
    public record Tick(String bridge, long timeMicros, int partitions, boolean bye) implements Contents {
    }

    /** A batch without a receive time (tests, and writers other than the bridge). */
    public static byte[] encode(List<Event> events) {
        return encode(events, null);
    }

    public static byte[] encode(List<Event> events, Long receivedMicros) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 160 * events.size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            if (receivedMicros != null) {
                g.writeNumberField("received_micros", receivedMicros);
            }
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

    public static byte[] encodeTick(Tick tick) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeObjectFieldStart("tick");
            g.writeStringField("bridge", tick.bridge());
            g.writeNumberField("time_micros", tick.timeMicros());
            g.writeNumberField("partitions", tick.partitions());
            if (tick.bye()) {
                g.writeBooleanField("bye", true);
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The events of a record: those of a batch, none for a tick. */
    public static List<Event> decode(byte[] bytes) {
        return decodeRecord(bytes) instanceof Batch b ? b.events() : List.of();
    }

    /** Decodes one record value; throws {@link MalformedException} for anything that is not a batch or tick. */
    public static Contents decodeRecord(byte[] bytes) {
        if (bytes == null) {
            throw new MalformedException("null value");
        }
        try (JsonParser p = JSON.createParser(bytes)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            List<Event> events = null;
            Long received = null;
            Tick tick = null;
            int version = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "v" -> version = p.getIntValue();
                    case "received_micros" -> received = p.getLongValue();
                    case "events" -> {
                        expect(value, JsonToken.START_ARRAY);
                        events = new ArrayList<>();
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            events.add(readEvent(p));
                        }
                    }
                    case "tick" -> {
                        expect(value, JsonToken.START_OBJECT);
                        tick = readTick(p);
                    }
                    default -> p.skipChildren();
                }
            }
            if (version < 1 || version > VERSION) {
                throw new MalformedException("unsupported version " + version);
            }
            if (tick != null && events == null) {
                return tick;
            }
            if (events == null || tick != null) {
                throw new MalformedException(events == null ? "no events field" : "both events and tick");
            }
            return new Batch(received, events);
        } catch (IOException | RuntimeException e) {
            throw e instanceof MalformedException m ? m : new MalformedException(e.getMessage());
        }
    }

    private static Tick readTick(JsonParser p) throws IOException {
        String bridge = null;
        long time = Long.MIN_VALUE;
        int partitions = 0;
        boolean bye = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "bridge" -> bridge = p.getValueAsString();
                case "time_micros" -> time = p.getLongValue();
                case "partitions" -> partitions = p.getIntValue();
                case "bye" -> bye = p.getBooleanValue();
                default -> p.skipChildren();
            }
        }
        if (bridge == null || time == Long.MIN_VALUE) {
            throw new MalformedException("tick needs bridge and time_micros");
        }
        return new Tick(bridge, time, partitions, bye);
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
