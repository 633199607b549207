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

    /** Msg{events=[event]} around a hand-written Event body. */
    static byte[] msgOf(byte[]... events) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] e : events) {
            out.write(0x32);
            out.write(e.length);
            out.writeBytes(e);
        }
        return out.toByteArray();
    }

    static final byte[] HOST_AND_SERVICE = {0x1a, 1, 's', 0x22, 1, 'h'};

    static byte[] withHostAndService(int... fields) {
        byte[] out = new byte[HOST_AND_SERVICE.length + fields.length];
        System.arraycopy(HOST_AND_SERVICE, 0, out, 0, HOST_AND_SERVICE.length);
        for (int i = 0; i < fields.length; i++) {
            out[HOST_AND_SERVICE.length + i] = (byte) fields[i];
        }
        return out;
    }

    Event only(byte[] msg) {
        List<Event> events = decoder.decode(msg, 0, msg.length, 42).events();
        assertEquals(1, events.size());
        return events.get(0);
    }

    @Test
    void metricPrecedenceIsSint64ThenDoubleThenFloat() {
        // metric_f = 1.5f (15, fixed32), metric_d = 2.5 (14, fixed64), metric_sint64 = -3 (13, zigzag 5)
        int[] f = {0x7d, 0x00, 0x00, (byte) 0xc0, 0x3f};
        int[] d = {0x71, 0, 0, 0, 0, 0, 0, 0x04, 0x40};
        int[] sint = {0x68, 5};
        assertEquals(1.5, only(msgOf(withHostAndService(f))).metric());
        assertEquals(2.5, only(msgOf(withHostAndService(concat(f, d)))).metric());
        assertEquals(-3.0, only(msgOf(withHostAndService(concat(concat(f, d), sint)))).metric());
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void timeMicrosWinsOverTime() {
        // time = 1 s (field 1), time_micros = 7 (field 10)
        assertEquals(7L, only(msgOf(withHostAndService(0x08, 1, 0x50, 7))).timeMicros());
        assertEquals(1_000_000L, only(msgOf(withHostAndService(0x08, 1))).timeMicros());
    }

    @Test
    void unknownFieldsOfEveryWireTypeAreSkipped() {
        // field 20 varint, 21 fixed64, 22 length-delimited, 23 fixed32; and an unknown Msg field 9
        byte[] event = withHostAndService(0xa0, 0x01, 5, 0xa9, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0xb2, 0x01, 2, 'x', 'y',
                0xbd, 0x01, 1, 2, 3, 4);
        byte[] msg = msgOf(event);
        byte[] withUnknown = java.util.Arrays.copyOf(msg, msg.length + 2);
        withUnknown[msg.length] = 0x48;
        withUnknown[msg.length + 1] = 1;
        assertEquals("h", only(withUnknown).host());
        assertEquals(0, counters.total(IngestCounters.Group.REFUSED));
    }

    @Test
    void invalidUtf8InOneEventDropsOnlyThatEvent() {
        byte[] bad = {0x1a, 1, 's', 0x22, 2, (byte) 0xc3, 0x28};
        assertEquals("h", only(msgOf(bad, HOST_AND_SERVICE)).host());
        assertEquals(1, counters.count(IngestCounters.Reason.INVALID_UTF8));
    }

    @Test
    void nonFiniteMetricDropsOnlyThatEvent() {
        int[] nan = {0x71, 0, 0, 0, 0, 0, 0, (byte) 0xf8, 0x7f};
        assertEquals(null, only(msgOf(withHostAndService(nan), HOST_AND_SERVICE)).metric());
        assertEquals(1, counters.count(IngestCounters.Reason.NON_FINITE_METRIC));
    }

    @Test
    void hugeLengthsAndTimesNeitherAllocateNorOverflow() {
        // an event claiming 2^31 bytes inside a 7-byte Msg
        byte[] huge = {0x32, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 0};
        assertThrows(MalformedInputException.class, () -> decoder.decode(huge, 0, huge.length, 0));
        // time = 2^62 seconds: saturates, to be clamped later, instead of overflowing
        byte[] late = msgOf(withHostAndService(0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40));
        assertEquals(Long.MAX_VALUE, only(late).timeMicros());
    }
}
