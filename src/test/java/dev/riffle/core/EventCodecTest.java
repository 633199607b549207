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
        for (String bad : List.of("", "[]", "{\"v\":2,\"events\":[]}", "{\"v\":1}", "{\"v\":1,\"events\":[{}]}",
                "{\"v\":1,\"events\":[{\"time_micros\":\"x\",\"host\":\"h\",\"service\":\"s\"}]}", "{\"v\":1,")) {
            assertThrows(EventCodec.MalformedException.class,
                    () -> EventCodec.decode(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
        assertThrows(EventCodec.MalformedException.class, () -> EventCodec.decode(null));
    }

    @Test
    void pointsRoundTrip() {
        Point p = new Point(0.0001, 1_700_000_005L);
        assertEquals(p, PointCodec.decode(PointCodec.encode(p)));
        assertThrows(EventCodec.MalformedException.class, () -> PointCodec.decode("{}".getBytes()));
    }
}
