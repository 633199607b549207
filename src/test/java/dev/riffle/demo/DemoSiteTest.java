package dev.riffle.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.client.Riffle;
import dev.riffle.core.Event;
import dev.riffle.testing.BridgeUnderTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A few seconds of the demo site through the real client, as the events topic of a real bridge has them. */
@Tag("slow")
class DemoSiteTest {
    private static final List<String> KINDS = List.of("meter", "occurrence", "histogram", "gauge", "timer");

    @TempDir
    Path dir;

    @Test
    void everyKindFromEveryHostArrives() throws Exception {
        try (BridgeUnderTest bridge = new BridgeUnderTest(dir)) {
            DemoSite site = DemoSite.sendingTo("127.0.0.1", bridge.riemannPort(), Riffle.Protocol.UDP, 42);
            site.run(4); // past the staging deploy at 3 s
            site.close();
            assertEquals(0, site.dropped() + site.failed());
            assertTrue(site.sent() > 200, "sent " + site.sent());

            List<Event> events = bridge.awaitEvents(all -> all.size() >= site.sent(), Duration.ofSeconds(30));
            assertEquals(site.sent(), events.size(), "every event sent arrived");
            assertEquals(Set.copyOf(KINDS), kinds(events));
            assertEquals(Set.of("web1", "web2", "web3", "db1", "stage-web1"), hosts(events));
            assertEquals(Set.of("page-views", "signups", "deploys", "search-time", "render-time", "search-results",
                    "gauges.users"), events.stream().map(Event::service).collect(Collectors.toSet()));
            assertEquals(Set.of("stage-web1"), events.stream().filter(e -> e.service().equals("deploys"))
                    .map(Event::host).collect(Collectors.toSet()), "only staging is deployed by 4 s");
            for (Event e : events) {
                String environment = e.host().startsWith("stage-") ? "staging" : "production";
                assertEquals(environment, e.tags().get(0), e.toString());
                assertTrue(e.metric() >= 0, e.toString());
            }
            List<Double> renders = events.stream().filter(e -> e.service().equals("render-time") && e.hasTag("timer"))
                    .map(Event::metric).sorted().toList();
            double median = renders.get(renders.size() / 2);
            double p99 = renders.get(renders.size() * 99 / 100);
            assertTrue(median > 8 && median < 40 && p99 > 2 * median, "long-tailed: median " + median + ", p99 " + p99);
        }
    }

    private static Set<String> kinds(List<Event> events) {
        return events.stream().map(e -> e.tags().get(e.tags().size() - 1)).collect(Collectors.toSet());
    }

    private static Set<String> hosts(List<Event> events) {
        return events.stream().map(Event::host).collect(Collectors.toSet());
    }
}
