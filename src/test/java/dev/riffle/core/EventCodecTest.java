package dev.riffle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    @Test
    void roundTripsEveryField() {
        Event full = new Event(1_700_000_000_123_456L, "box1", "api latency", "ok", "all good \u2713",
                List.of("production", "timer"), Map.of("region", "eu", "empty", ""), 12.5, 30f);
        Event bare = Event.of(1L, "box2", "x", List.of(), null);
        assertEquals(List.of(full, bare), EventCodec.decode(EventCodec.encode(List.of(full, bare))));
    }

    @Test
    void ignoresUnknownFieldsSoLaterWritersCanAddSome() {
        String json = "{\"v\":1,\"new\":{\"a\":[1,2]},\"events\":[{\"time_micros\":5,\"host\":\"h\",\"service\":\"s\","
                + "\"future\":true}]}";
        assertEquals(List.of(Event.of(5, "h", "s", List.of(), null)),
                EventCodec.decode(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void refusesWhatIsNotABatch() {
        for (String bad : List.of("", "[]", "{\"v\":3,\"events\":[]}", "{\"v\":1}", "{\"v\":1,\"events\":[{}]}",
                "{\"v\":1,\"events\":[{\"time_micros\":\"x\",\"host\":\"h\",\"service\":\"s\"}]}", "{\"v\":1,")) {
            assertThrows(EventCodec.MalformedException.class,
                    () -> EventCodec.decode(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
        assertThrows(EventCodec.MalformedException.class, () -> EventCodec.decode(null));
    }

    @Test
    void batchesCarryTheirReceiveTimeAndTicksRoundTrip() {
        Event e = Event.of(7, "h", "s", List.of("meter"), 1.0);
        assertEquals(new EventCodec.Batch(1_000L, List.of(e)),
                EventCodec.decodeRecord(EventCodec.encode(List.of(e), 1_000L)));
        assertEquals(new EventCodec.Batch(null, List.of(e)), EventCodec.decodeRecord(EventCodec.encode(List.of(e))));
        EventCodec.Tick tick = new EventCodec.Tick("web1:5555", 1_700_000_000_200_000L, 6, false);
        assertEquals(tick, EventCodec.decodeRecord(EventCodec.encodeTick(tick)));
        EventCodec.Tick bye = new EventCodec.Tick("web1:5555", 5, 6, true);
        assertEquals(bye, EventCodec.decodeRecord(EventCodec.encodeTick(bye)));
        assertEquals(List.of(), EventCodec.decode(EventCodec.encodeTick(tick)), "a tick holds no events");
    }

    @Test
    void version1BatchesWrittenBeforeTicksAreStillRead() {
        String v1 = "{\"v\":1,\"events\":[{\"time_micros\":5,\"host\":\"h\",\"service\":\"s\"}]}";
        assertEquals(new EventCodec.Batch(null, List.of(Event.of(5, "h", "s", List.of(), null))),
                EventCodec.decodeRecord(v1.getBytes(StandardCharsets.UTF_8)));
        for (String bad : List.of("{\"v\":2,\"tick\":{\"bridge\":\"b\"}}", "{\"v\":2,\"tick\":{\"time_micros\":1}}",
                "{\"v\":2,\"events\":[],\"tick\":{\"bridge\":\"b\",\"time_micros\":1}}")) {
            assertThrows(EventCodec.MalformedException.class,
                    () -> EventCodec.decodeRecord(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
    }
}
