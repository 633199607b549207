package dev.riffle.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.client.RiemannMessage;
import dev.riffle.core.Event;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RiemannDecoderTest {
    final IngestCounters counters = new IngestCounters();
    final RiemannDecoder decoder = new RiemannDecoder(counters);

    @Test
    void decodesEveryFieldTheClientWrites() {
        byte[] msg = new RiemannMessage()
                .event(1_700_000_000_250_000L, "box1", "api latency", "ok", "fine", 12.5, 30f,
                        Map.of("region", "eu"), "production", "timer")
                .event(1_700_000_001_000_000L, "box2", "signups", null, null, null, null, Map.of(), "occurrence")
                .toBytes();
        RiemannDecoder.Decoded d = decoder.decode(msg, 0, msg.length, 42);
        assertEquals(List.of(
                new Event(1_700_000_000_250_000L, "box1", "api latency", "ok", "fine", List.of("production", "timer"),
                        Map.of("region", "eu"), 12.5, 30f),
                new Event(1_700_000_001_000_000L, "box2", "signups", null, null, List.of("occurrence"), Map.of(),
                        null, null)), d.events());
    }

    @Test
    void eventWithoutTimeGetsTheReceiveTime() {
        // Msg{events=[Event{service="s"(3), host="h"(4)}]} written by hand: no time field at all
        byte[] msg = {0x32, 6, 0x1a, 1, 's', 0x22, 1, 'h'};
        assertEquals(42L, decoder.decode(msg, 0, msg.length, 42).events().get(0).timeMicros());
    }

    @Test
    void eventWithoutHostIsCountedAndTheOthersKept() {
        byte[] msg = {0x32, 3, 0x1a, 1, 's', 0x32, 6, 0x1a, 1, 's', 0x22, 1, 'h'};
        assertEquals(1, decoder.decode(msg, 0, msg.length, 42).events().size());
        assertEquals(1, counters.count(IngestCounters.Reason.MISSING_HOST_OR_SERVICE));
    }

    @Test
    void truncatedMessageIsMalformed() {
        byte[] msg = new RiemannMessage().event(1, "h", "s", null, null, 1.0, null, Map.of()).toBytes();
        assertThrows(MalformedInputException.class, () -> decoder.decode(msg, 0, msg.length - 3, 0));
    }

    @Test
    void repliesAreReadableByTheClient() {
        assertNull(RiemannMessage.replyError(RiemannDecoder.reply(true, null)));
        assertEquals("no", RiemannMessage.replyError(RiemannDecoder.reply(false, "no")));
        assertTrue(RiemannMessage.replyError(new byte[] {0x10}).contains("truncated"));
    }
}
