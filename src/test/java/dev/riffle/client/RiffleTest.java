package dev.riffle.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.Event;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** What the client sends and how it is configured, against a stand-in UDP bridge (no broker). */
class RiffleTest {

    @Test
    void disabledClientSendsNothingAndStartsNoThread() {
        long senders = senderThreads();
        for (Riffle metrics : List.of(Riffle.disabled(), Riffle.builder().enabled(false).build(),
                new Riffle(ClientSettings.read(new Properties(), Map.of()), true))) {
            assertFalse(metrics.enabled());
            metrics.meter("a").inc();
            metrics.meter("a").inc(3);
            metrics.occurrence("b").mark();
            metrics.histogram("c").record(Double.NaN);
            metrics.gauge("d").report(1);
            try (Timer.Sample t = metrics.timer("e").start()) {
                assertSame(t, metrics.timer("f").start(), "a disabled timer allocates no sample");
            }
            metrics.timer("e").record(5);
            assertEquals(0, metrics.sent() + metrics.dropped() + metrics.failed() + metrics.invalid()
                    + metrics.queued());
            metrics.close();
        }
        assertEquals(senders, senderThreads());
    }

    @Test
    void settingsComeFromPropertiesThenEnvironment() {
        assertFalse(ClientSettings.read(new Properties(), Map.of()).enabled(), "off unless configured");
        assertFalse(ClientSettings.read(new Properties(), Map.of("RIFFLE_CLIENT_BRIDGE", "h:1",
                "RIFFLE_CLIENT_ENABLED", "false")).enabled());

        ClientSettings s = ClientSettings.read(new Properties(), Map.of("RIFFLE_CLIENT_BRIDGE", "bridge.example:6000",
                "RIFFLE_CLIENT_PROTOCOL", "tcp", "RIFFLE_CLIENT_ENVIRONMENT", "staging",
                "RIFFLE_CLIENT_HOSTNAME", "web1"));
        assertEquals(new ClientSettings(true, "bridge.example", 6000, Riffle.Protocol.TCP, "staging", "web1",
                10_000, 16 * 1024, 20), s);

        Properties props = new Properties();
        props.setProperty("riffle.client.bridge", "[::1]:7000");
        props.setProperty("riffle.client.environment", "none");
        props.setProperty("riffle.client.max_message_bytes", "512");
        s = ClientSettings.read(props, Map.of("RIFFLE_CLIENT_BRIDGE", "ignored:1", "RIFFLE_CLIENT_QUEUE", "50"));
        assertEquals(new ClientSettings(true, "::1", 7000, Riffle.Protocol.UDP, null, null, 50, 512, 20), s);

        ClientSettings defaults = ClientSettings.read(new Properties(), Map.of("RIFFLE_CLIENT_ENABLED", "true"));
        assertEquals("127.0.0.1", defaults.bridgeHost());
        assertEquals(5555, defaults.bridgePort());
    }

    @Test
    void badSettingsNameTheSettingAndFromEnvironmentGivesADisabledClient() {
        for (Map<String, String> env : List.of(Map.of("RIFFLE_CLIENT_BRIDGE", "nonsense"),
                Map.of("RIFFLE_CLIENT_BRIDGE", "h:99999"), Map.of("RIFFLE_CLIENT_BRIDGE", "h:1",
                        "RIFFLE_CLIENT_PROTOCOL", "carrier-pigeon"), Map.of("RIFFLE_CLIENT_ENABLED", "yes"),
                Map.of("RIFFLE_CLIENT_ENABLED", "true", "RIFFLE_CLIENT_QUEUE", "0"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ClientSettings.read(new Properties(), env), env.toString());
            assertTrue(e.getMessage().contains("RIFFLE_CLIENT_") || e.getMessage().startsWith("bad "),
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Riffle.builder().hostname(" ").build(),
                "a builder refuses nonsense at configuration");
        assertThrows(IllegalArgumentException.class, () -> Riffle.builder().bridge("127.0.0.1", 0).build());
        try (CapturedLog log = new CapturedLog()) {
            System.setProperty("riffle.client.bridge", "nonsense");
            Riffle metrics = Riffle.fromEnvironment();
            assertFalse(metrics.enabled());
            assertEquals(1, log.lines().size(), log.lines().toString());
            assertTrue(log.lines().get(0).contains("riffle.client.bridge"), log.lines().toString());
        } finally {
            System.clearProperty("riffle.client.bridge");
        }
    }

    @Test
    void everyKindIsOneEventWithHostServiceAndTags() throws Exception {
        try (DatagramCatcher bridge = new DatagramCatcher()) {
            Riffle metrics = Riffle.builder().bridge("127.0.0.1", bridge.port()).environment("production")
                    .hostname("web1").build();
            long before = System.currentTimeMillis() * 1000;
            metrics.meter("page-views").inc();
            metrics.meter("page-views").inc(7);
            metrics.occurrence("signups").mark();
            metrics.histogram("search-results").record(42.5);
            metrics.gauge("users").report(1234);
            metrics.timer("render-time").record(12.25);
            metrics.close();
            long after = System.currentTimeMillis() * 1000;

            List<Event> events = bridge.await(7, Duration.ofSeconds(5));
            assertEquals(List.of(
                    event("page-views", 1.0, "production", "meter"),
                    event("page-views", 7.0, "production", "meter"),
                    event("signups", 1.0, "production", "occurrence"),
                    event("search-results", 42.5, "production", "histogram"),
                    event("gauges.users", 1234.0, "production", "gauge"),
                    event("render-time", 1.0, "production", "meter"),
                    event("render-time", 12.25, "production", "timer")),
                    events.stream().map(e -> withTime(e, 0)).toList());
            for (Event e : events) {
                assertTrue(e.timeMicros() >= before && e.timeMicros() <= after, e.toString());
            }
            assertEquals(7, metrics.sent());
        }
    }

    @Test
    void timerFiresAMeterAtStartAndTheElapsedMillisAtClose() throws Exception {
        try (DatagramCatcher bridge = new DatagramCatcher()) {
            Riffle metrics = Riffle.builder().bridge("127.0.0.1", bridge.port()).hostname("web1").build();
            Timer searchTime = metrics.timer("search-time");
            long t0 = System.nanoTime();
            Timer.Sample sample = searchTime.start();
            try (sample) {
                Thread.sleep(30);
            }
            double outer = (System.nanoTime() - t0) / 1e6;
            sample.close(); // a second close fires nothing more
            metrics.close();

            bridge.await(2, Duration.ofSeconds(5));
            // close() sent everything, so a third event would be here already
            List<Event> events = bridge.await(3, Duration.ofMillis(300));
            assertEquals(2, events.size(), events.toString());
            assertEquals(event("search-time", 1.0, "meter"), withTime(events.get(0), 0));
            assertEquals(List.of("timer"), events.get(1).tags());
            double millis = events.get(1).metric();
            assertTrue(millis >= 30 && millis <= outer, millis + " ms, outer " + outer);
        }
    }

    @Test
    void manyEventsGoInFewDatagramsUnderTheSizeLimit() throws Exception {
        try (DatagramCatcher bridge = new DatagramCatcher()) {
            Riffle metrics = Riffle.builder().bridge("127.0.0.1", bridge.port()).hostname("web1")
                    .maxMessageBytes(1000).flushMillis(1000).build();
            Meter views = metrics.meter("page-views");
            for (int i = 0; i < 300; i++) {
                views.inc(i);
            }
            metrics.close();
            List<Event> events = bridge.await(300, Duration.ofSeconds(5));
            assertEquals(300, events.size());
            for (int i = 0; i < 300; i++) {
                assertEquals(i, events.get(i).metric(), "order kept");
            }
            assertTrue(bridge.sizes.stream().allMatch(size -> size <= 1000), bridge.sizes.toString());
            assertTrue(bridge.sizes.size() > 1 && bridge.sizes.size() < 50, bridge.sizes.toString());
            assertEquals(300, metrics.sent());
        }
    }

    private static Event event(String service, double metric, String... tags) {
        return Event.of(0, "web1", service, List.of(tags), metric);
    }

    private static Event withTime(Event e, long timeMicros) {
        return new Event(timeMicros, e.host(), e.service(), e.state(), e.description(), e.tags(), e.attributes(),
                e.metric(), e.ttl());
    }

    static long senderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("riffle-client-sender")).count();
    }
}
