package dev.riffle.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.riffle.core.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsdDecoderTest {
    static final long NOW = 1_700_000_000_000_000L;
    final IngestCounters counters = new IngestCounters();
    final DatagramLines statsd = new DatagramLines(new StatsdDecoder("box1", "", 2), counters);

    List<Event> decode(String datagram) {
        byte[] bytes = datagram.getBytes(StandardCharsets.UTF_8);
        List<Event> out = new ArrayList<>();
        statsd.decode(bytes, 0, bytes.length, NOW, out);
        return out;
    }

    static Event event(String service, List<String> tags, Map<String, String> attributes, Double metric) {
        return new Event(NOW, "box1", service, null, null, tags, attributes, metric, null);
    }

    @Test
    void counterIsAMeterScaledByTheSampleRate() {
        assertEquals(List.of(event("logins", List.of("meter"), Map.of(), 4.0),
                        event("logins", List.of("meter"), Map.of(), -1.0)),
                decode("logins:1|c|@0.25\nlogins:-1|c"));
    }

    @Test
    void timersAndHistogramsAreTimers() {
        assertEquals(List.of(event("db query", List.of("timer"), Map.of(), 320.5),
                        event("size", List.of("timer"), Map.of(), 7.0)),
                decode("db query:320.5|ms|@0.1\nsize:7|h"));
    }

    @Test
    void packedValuesGiveOneEventEach() {
        assertEquals(List.of(1.0, 2.0, 3.0), decode("t:1:2:3|ms").stream().map(Event::metric).toList());
    }

    @Test
    void gaugeChangesApplyToTheLastValueOfThatHostAndName() {
        assertEquals(List.of(10.0, 13.0, 11.0, -2.0, 5.0),
                decode("g:10|g\ng:+3|g\ng:-2|g\ng:-2|g|#host:box2\ng:5|g").stream().map(Event::metric).toList());
        assertEquals(List.of("gauge"), decode("g:1|g").get(0).tags());
    }

    @Test
    void aRefusedGaugeValueNeverChangesTheRememberedGauge() {
        // NaN is refused, so the next change applies to the last accepted value (none here: 0)
        assertEquals(List.of(), decode("g:NaN|g"));
        assertEquals(List.of(1.0), decode("g:+1|g").stream().map(Event::metric).toList());
        // 1e308 + 1e308 overflows and is refused; the gauge stays 1e308, so -1e308 brings it to 0
        assertEquals(List.of(1e308), decode("h:1e308|g").stream().map(Event::metric).toList());
        assertEquals(List.of(), decode("h:+1e308|g"));
        assertEquals(List.of(0.0), decode("h:-1e308|g").stream().map(Event::metric).toList());
        // a packed line with one bad value gives no events and leaves the gauge as it was
        assertEquals(List.of(), decode("h:7:+Infinity|g"));
        assertEquals(List.of(2.0), decode("h:+2|g").stream().map(Event::metric).toList());
        assertEquals(3, counters.count(IngestCounters.Reason.NON_FINITE_METRIC));
        // a line refused for another reason leaves it too
        assertEquals(List.of(), decode("h:5:x|g"));
        assertEquals(List.of(3.0), decode("h:+1|g").stream().map(Event::metric).toList());
    }

    @Test
    void gaugeMemoryIsBoundedAndForgetsTheLeastRecentlyUsed() {
        decode("a:10|g\nb:20|g\nc:30|g"); // holds 2: a is forgotten
        assertEquals(List.of(21.0, 1.0), decode("b:+1|g\na:+1|g").stream().map(Event::metric).toList());
    }

    @Test
    void setIsAnOccurrenceKeepingItsMember() {
        assertEquals(List.of(event("users", List.of("occurrence"), Map.of("member", "alice"), null)),
                decode("users:alice|s"));
    }

    @Test
    void dogStatsdTagsGiveHostEnvironmentAttributesAndTags() {
        assertEquals(List.of(new Event(NOW, "web7", "req", null, null, List.of("meter", "canary", "production"),
                        Map.of("region", "eu"), 2.0, null)),
                decode("req:1|c|@0.5|#env:production,region:eu,host:web7,canary|c:abc123"));
    }

    @Test
    void defaultEnvironmentIsAddedWhenTheLineHasNone() {
        DatagramLines withEnv = new DatagramLines(new StatsdDecoder("box1", "staging", 10), counters);
        byte[] bytes = "a:1|c\nb:1|c|#env:dev".getBytes(StandardCharsets.UTF_8);
        List<Event> out = new ArrayList<>();
        withEnv.decode(bytes, 0, bytes.length, NOW, out);
        assertEquals(List.of(List.of("meter", "staging"), List.of("meter", "dev")),
                out.stream().map(Event::tags).toList());
    }

    @Test
    void timestampSectionSetsTheEventTime() {
        assertEquals(1_690_000_000_000_000L, decode("a:1|c|T1690000000").get(0).timeMicros());
    }

    @Test
    void badLinesAreCountedAndGoodLinesAroundThemKept() {
        List<Event> events = decode("ok1:1|c\r\n\ngarbage\nx:abc|c\ny:1|zz\nz:1|c|@2\n_e{1,1}:a|b\nn:NaN|g\n"
                + ":1|c\nok2:2|ms\n");
        assertEquals(List.of("ok1", "ok2"), events.stream().map(Event::service).toList());
        // garbage, not a number, unknown type, rate above 1, no name
        assertEquals(5, counters.count(IngestCounters.Reason.MALFORMED_LINE));
        assertEquals(1, counters.count(IngestCounters.Reason.UNSUPPORTED_LINE));
        assertEquals(1, counters.count(IngestCounters.Reason.NON_FINITE_METRIC));
    }

    @Test
    void invalidUtf8LineIsCountedAsSuch() {
        byte[] bytes = {'a', ':', '1', '|', 'c', '\n', 'b', (byte) 0xC3, ':', '1', '|', 'c'};
        List<Event> out = new ArrayList<>();
        statsd.decode(bytes, 0, bytes.length, NOW, out);
        assertEquals(1, out.size());
        assertEquals(1, counters.count(IngestCounters.Reason.INVALID_UTF8));
    }

    @Test
    void aPackedLineWithOneBadValueGivesNoEvents() {
        assertEquals(List.of(), decode("t:1:x:3|ms"));
        assertEquals(1, counters.count(IngestCounters.Reason.MALFORMED_LINE));
    }
}
