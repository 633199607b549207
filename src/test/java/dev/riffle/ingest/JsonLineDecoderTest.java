package dev.riffle.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.riffle.core.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLineDecoderTest {
    static final long NOW = 1_700_000_000_000_000L;
    final IngestCounters counters = new IngestCounters();
    final DatagramLines json = new DatagramLines(new JsonLineDecoder(), counters);

    List<Event> decode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<Event> out = new ArrayList<>();
        json.decode(bytes, 0, bytes.length, NOW, out);
        return out;
    }

    @Test
    void readsEveryEventField() {
        assertEquals(List.of(new Event(1_690_000_000_250_000L, "box1", "api latency", "ok", "fine",
                        List.of("production", "timer"), Map.of("region", "eu", "build", "42"), 12.5, 30f)),
                decode("{\"host\":\"box1\",\"service\":\"api latency\",\"state\":\"ok\",\"description\":\"fine\","
                        + "\"tags\":[\"production\",\"timer\"],\"attributes\":{\"region\":\"eu\",\"build\":42},"
                        + "\"metric\":12.5,\"ttl\":30,\"time\":1690000000.25,\"extra\":{\"ignored\":[1]}}"));
    }

    @Test
    void timeMicrosWinsAndNoTimeMeansReceiveTime() {
        assertEquals(List.of(5L, NOW), decode("{\"host\":\"h\",\"service\":\"s\",\"time\":9,\"time_micros\":5}\n"
                + "{\"host\":\"h\",\"service\":\"s\"}").stream().map(Event::timeMicros).toList());
    }

    @Test
    void badLinesAreCountedByReasonAndTheOthersKept() {
        List<Event> events = decode(String.join("\n",
                "{\"host\":\"h\",\"service\":\"good1\"}",
                "{\"host\":\"h\",\"service\":\"s\"",
                "[1,2]",
                "{\"host\":\"h\",\"service\":\"s\",\"metric\":\"12\"}",
                "{\"host\":\"h\",\"service\":\"s\"} {}",
                "{\"host\":\"\",\"service\":\"s\"}",
                "{\"service\":\"s\"}",
                "{\"host\":\"h\",\"service\":\"s\",\"metric\":NaN}",
                "{\"host\":\"h\",\"service\":\"s\",\"metric\":-Infinity}",
                "{\"host\":\"h\",\"service\":\"good2\",\"metric\":1e3}"));
        assertEquals(List.of("good1", "good2"), events.stream().map(Event::service).toList());
        assertEquals(4, counters.count(IngestCounters.Reason.MALFORMED_LINE));
        assertEquals(2, counters.count(IngestCounters.Reason.MISSING_HOST_OR_SERVICE));
        assertEquals(2, counters.count(IngestCounters.Reason.NON_FINITE_METRIC));
    }

    @Test
    void invalidUtf8IsCountedAsSuch() {
        byte[] bytes = {'{', '"', 'h', (byte) 0xFF, '"', '}'};
        json.decode(bytes, 0, bytes.length, NOW, new ArrayList<>());
        assertEquals(1, counters.count(IngestCounters.Reason.INVALID_UTF8));
    }
}
