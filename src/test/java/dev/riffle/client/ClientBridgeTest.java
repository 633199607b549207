package dev.riffle.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.Event;
import dev.riffle.testing.BridgeUnderTest;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The client's events, as a real bridge on a real broker publishes them to the events topic. */
@Tag("slow")
class ClientBridgeTest {
    @TempDir
    static Path dir;
    static BridgeUnderTest bridge;

    @BeforeAll
    static void start() throws Exception {
        bridge = new BridgeUnderTest(dir);
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    void aTcpClientQuietLongerThanTheBridgesIdleTimeoutLosesNothing(@TempDir Path other) throws Exception {
        try (BridgeUnderTest strict = new BridgeUnderTest(other, Map.of("RIFFLE_INGEST_TCP_IDLE_TIMEOUT_MS",
                "300"))) {
            Riffle metrics = Riffle.builder().bridge("127.0.0.1", strict.riemannPort())
                    .protocol(Riffle.Protocol.TCP).hostname("quiet").build();
            Meter m = metrics.meter("quiet");
            for (int i = 0; i < 3; i++) {
                m.inc();
                Thread.sleep(2_000); // the bridge closes the connection meanwhile
            }
            metrics.close();
            assertEquals(3, metrics.sent(), metrics.toString());
            assertEquals(0, metrics.failed(), metrics.toString());
            assertEquals(3, strict.awaitEvents(all -> all.stream().filter(e -> e.host().equals("quiet")).count() >= 3,
                    Duration.ofSeconds(30)).stream().filter(e -> e.host().equals("quiet")).count());
        }
    }

    @ParameterizedTest
    @EnumSource(Riffle.Protocol.class)
    void everyKindArrivesExactly(Riffle.Protocol protocol) throws Exception {
        String host = "web-" + protocol.name().toLowerCase();
        Riffle metrics = Riffle.builder().bridge("127.0.0.1", bridge.riemannPort()).protocol(protocol)
                .environment("production").hostname(host).build();
        long before = System.currentTimeMillis() * 1000;
        metrics.meter("page-views").inc();
        metrics.meter("page-views").inc(7);
        metrics.occurrence("deploys").mark();
        metrics.histogram("search-results").record(42.5);
        metrics.gauge("users").report(123_456_789.125);
        metrics.timer("search-time").record(3.75);
        try (Timer.Sample t = metrics.timer("render-time").start()) {
            Thread.sleep(5);
        }
        metrics.close();
        long after = System.currentTimeMillis() * 1000;
        assertEquals(9, metrics.sent(), metrics.toString());

        List<Event> events = eventsOf(host, 9);
        Event render = events.stream().filter(e -> e.service().equals("render-time") && e.hasTag("timer"))
                .findFirst().orElseThrow();
        assertTrue(render.metric() >= 5 && render.metric() < 5_000, render.toString());
        assertEquals(sorted(List.of(
                event(host, "page-views", 1.0, "production", "meter"),
                event(host, "page-views", 7.0, "production", "meter"),
                event(host, "deploys", 1.0, "production", "occurrence"),
                event(host, "search-results", 42.5, "production", "histogram"),
                event(host, "gauges.users", 123_456_789.125, "production", "gauge"),
                event(host, "search-time", 1.0, "production", "meter"),
                event(host, "search-time", 3.75, "production", "timer"),
                event(host, "render-time", 1.0, "production", "meter"),
                event(host, "render-time", render.metric(), "production", "timer"))),
                sorted(events.stream().map(e -> withoutTime(e)).toList()));
        for (Event e : events) {
            assertTrue(e.timeMicros() >= before && e.timeMicros() <= after, "event time is the call's: " + e);
        }
    }

    @Test
    void byDefaultEventsCarryThisMachinesNameAndNoEnvironment() throws Exception {
        Riffle metrics = Riffle.builder().bridge("127.0.0.1", bridge.riemannPort()).build();
        metrics.meter("defaults-check").inc();
        metrics.close();
        String host = InetAddress.getLocalHost().getHostName();
        List<Event> events = bridge.awaitEvents(all -> all.stream().anyMatch(e -> e.service().equals("defaults-check")),
                Duration.ofSeconds(30)).stream().filter(e -> e.service().equals("defaults-check")).toList();
        assertEquals(List.of(event(host, "defaults-check", 1.0, "meter")), events.stream().map(e -> withoutTime(e)).toList());
    }

    private static List<Event> eventsOf(String host, int count) {
        return bridge.awaitEvents(all -> all.stream().filter(e -> e.host().equals(host)).count() >= count,
                Duration.ofSeconds(30)).stream().filter(e -> e.host().equals(host)).toList();
    }

    private static Event event(String host, String service, double metric, String... tags) {
        return Event.of(0, host, service, List.of(tags), metric);
    }

    private static Event withoutTime(Event e) {
        return new Event(0, e.host(), e.service(), e.state(), e.description(), e.tags(), e.attributes(), e.metric(),
                e.ttl());
    }

    private static List<Event> sorted(List<Event> events) {
        return events.stream().sorted(Comparator.comparing(Event::toString)).toList();
    }
}
