package dev.riffle.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.riffle.config.Config;
import dev.riffle.core.Point;
import dev.riffle.graph.RecentStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The http stage on a loopback port: the Graphite API over HTTP, health and status, and hostile requests. */
class GraphsServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final RecentStore store = new RecentStore(1 << 20, 3600, 5);
    private final AtomicReference<PipelineStatus> status = new AtomicReference<>();
    private GraphsServer server;
    private long t0;

    @BeforeEach
    void start() {
        Config config = Config.defaults(HttpKeys.ALL).with(HttpKeys.HTTP_PORT, 0);
        status.set(new PipelineStatus(List.of(
                new PipelineStatus.StageStatus("sink", true,
                        "points written 40 (8/s), skipped 0, lag 3, graphite 1/2 connected; 127.0.0.1:2004 down"),
                new PipelineStatus.StageStatus("bridge", true, "events in 120, to kafka 120, refused 2, dropped 0"))));
        server = new GraphsServer(config, store, status::get, "occurrences");
        server.start();
        long now = System.currentTimeMillis() / 1000;
        t0 = now - Math.floorMod(now, 5) - 60;
        for (int i = 0; i < 6; i++) {
            store.accept("production.web1.page-views.rate-per-second", new Point(i * 1.5, t0 + 5L * i));
            store.accept("production.web2.page-views.rate-per-second", new Point(10 + i, t0 + 5L * i));
        }
        store.accept("production.web1.deploys.occurrences", new Point(1, t0 + 10));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void renderAnswersThePointsWrittenForGetAndFormPost() throws Exception {
        String query = "target=" + enc("production.*.page-views.rate-per-second") + "&from=" + (t0 - 5) + "&until="
                + (t0 + 25) + "&format=json";
        HttpResponse<String> r = get("/render?" + query);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode series = JSON.readTree(r.body());
        assertEquals(2, series.size());
        assertEquals("production.web1.page-views.rate-per-second", series.get(0).get("target").asText());
        JsonNode points = series.get(0).get("datapoints");
        assertEquals(6, points.size()); // t0 .. t0+25
        for (int i = 0; i < 6; i++) {
            assertEquals(i * 1.5, points.get(i).get(0).asDouble(), 0.0);
            assertEquals(t0 + 5L * i, points.get(i).get(1).asLong());
        }
        // Grafana posts its render requests as a form
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/render"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("target=" + enc("sumSeries(production.*.page-views.*)")
                        + "&from=" + (t0 - 5) + "&until=" + (t0 + 25) + "&format=json&maxDataPoints=800")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, post.statusCode(), post.body());
        JsonNode sum = JSON.readTree(post.body()).get(0);
        assertEquals("sumSeries(production.*.page-views.*)", sum.get("target").asText());
        assertEquals(10 + 5 + 7.5, sum.get("datapoints").get(5).get(0).asDouble(), 1e-9);
    }

    @Test
    void findListsTheTreeLevelByLevel() throws Exception {
        JsonNode hosts = JSON.readTree(get("/metrics/find?query=" + enc("production.*")).body());
        assertEquals(2, hosts.size());
        assertEquals("web1", hosts.get(0).get("text").asText());
        assertEquals("production.web1", hosts.get(0).get("id").asText());
        assertEquals(1, hosts.get(0).get("expandable").asInt());
        assertEquals(2, JSON.readTree(get("/metrics/find/?query=" + enc("production.web{1,2}")).body()).size());
        // one entry per name, as graphite-web: both hosts have a rate-per-second
        assertEquals(1, JSON.readTree(get("/metrics/find/?query=" + enc("production.web{1,2}.page-views.*")).body())
                .size());
        assertEquals("[\"production.web1.deploys.occurrences\"]", get("/api/search?q=DEPLOY").body());
    }

    @Test
    void badRequestsAre400WithAMessageAndNeverAStackTrace() throws Exception {
        for (String bad : List.of(
                "/render?target=" + enc("nosuchFunction(a.b)"),
                "/render?target=" + enc("sumSeries(a.b"),
                "/render?target=" + enc("a.b") + "&from=-5m",
                "/render?target=" + enc("a.b") + "&from=now&until=-1h",
                "/render?target=" + enc("a.b") + "&format=png",
                "/render?from=-1h",
                "/render?target=" + enc("a.b") + "&tz=" + enc("Mars/Olympus"),
                "/metrics/find",
                "/metrics/find?query=" + enc("a.[b"),
                "/api/search?q=")) {
            HttpResponse<String> r = get(bad);
            assertEquals(400, r.statusCode(), bad + " -> " + r.body());
            assertFalse(r.body().isBlank(), bad);
            assertFalse(r.body().contains("Exception") || r.body().contains("\tat ") || r.body().contains("dev.riffle"),
                    bad + " -> " + r.body());
        }
        assertTrue(get("/render?target=" + enc("nosuchFunction(a.b)")).body().contains("unknown function"));
        assertEquals(404, get("/no/such/page").statusCode());
        // an oversized form body is refused, and the server still answers afterwards
        HttpResponse<String> big = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/render"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("target=" + "a".repeat(GraphsServer.MAX_BODY_BYTES)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, big.statusCode());
        // a bad escape (no Java client sends one) and garbage on the socket: a 400 or a closed connection
        assertTrue(raw("GET /render?target=%zz HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 400"));
        for (int i = 0; i < 20; i++) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write(("\u0000\u00ff garbage " + i + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                InputStream in = s.getInputStream();
                in.readNBytes(64); // whatever it answers, or the end
            } catch (IOException e) {
                // a reset is a fine answer to garbage
            }
        }
        assertEquals(200, get("/metrics/find?query=*").statusCode());
    }

    private String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readNBytes(200), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void healthzIsReadyOnlyWhenEveryStageRuns() throws Exception {
        HttpResponse<String> ok = get("/healthz");
        assertEquals(200, ok.statusCode());
        assertTrue(ok.body().startsWith("ok"), ok.body());
        status.set(new PipelineStatus(List.of(new PipelineStatus.StageStatus("sink", false, "STOPPED (see log)"),
                new PipelineStatus.StageStatus("bridge", true, "events in 1"))));
        HttpResponse<String> down = get("/healthz");
        assertEquals(503, down.statusCode());
        assertTrue(down.body().contains("sink NOT running"), down.body());
        status.set(new PipelineStatus(List.of()));
        assertEquals(503, get("/healthz").statusCode());
    }

    @Test
    void statusGivesTheFiguresOfTheStatusLines() throws Exception {
        JsonNode s = JSON.readTree(get("/api/status").body());
        assertTrue(s.get("healthy").asBoolean());
        JsonNode sink = s.get("stages").get(0);
        assertEquals("sink", sink.get("name").asText());
        JsonNode f = sink.get("figures");
        assertEquals(40, f.get("points_written").asInt());
        assertEquals(8, f.get("points_written_per_second").asInt());
        assertEquals(3, f.get("lag").asInt());
        assertEquals(1, f.get("graphite_connected").asInt());
        assertEquals(2, f.get("graphite_endpoints").asInt());
        JsonNode bridge = s.get("stages").get(1).get("figures");
        assertEquals(120, bridge.get("events_in").asInt());
        assertEquals(2, bridge.get("refused").asInt());
        assertEquals(3, s.get("store").get("series").asInt());
        assertEquals(13, s.get("store").get("points").asInt());
    }

    @Test
    void aTakenPortIsNamedBeforeAnythingStarts() {
        Config taken = Config.defaults(HttpKeys.ALL).with(HttpKeys.HTTP_PORT, server.port());
        dev.riffle.core.StartupException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.riffle.core.StartupException.class, () -> GraphsServer.checkPortFree(taken));
        assertTrue(e.getMessage().contains("RIFFLE_HTTP_PORT"), e.getMessage());
        GraphsServer.checkPortFree(Config.defaults(HttpKeys.ALL).with(HttpKeys.HTTP_PORT, 0)); // off: no check
    }

    @Test
    void occurrencesAndThePageAreServed() throws Exception {
        JsonNode occ = JSON.readTree(get("/api/occurrences?from=-10min").body());
        assertEquals(1, occ.size());
        assertEquals("production.web1.deploys.occurrences", occ.get(0).get("path").asText());
        assertEquals("[" + (t0 + 10) + "]", occ.get(0).get("times").toString());
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("uplot/uPlot.iife.min.js"));
        HttpResponse<String> uplot = get("/uplot/uPlot.iife.min.js");
        assertEquals(200, uplot.statusCode());
        assertTrue(uplot.body().length() > 40_000, "uPlot from its webjar");
        assertEquals(200, get("/app.js").statusCode());
    }
}
