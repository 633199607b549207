package dev.riffle.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.riffle.config.Config;
import dev.riffle.core.Point;
import dev.riffle.graph.RecentStore;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The requests Grafana's Graphite data source sends (grafana/grafana {@code pkg/tsdb/graphite}: query.go,
 * healthcheck.go; {@code public/app/plugins/datasource/graphite/datasource.ts}), replayed over HTTP against the
 * graphs server with an hour of points: "Save & test" ({@code constantLine(100)}, maxDataPoints=100, epoch times),
 * a panel query as a form POST with the panel's width as maxDataPoints, with and without the refId wrapping
 * {@code aliasSub(T, "(^.*$)", "\1 A")}, a template variable through {@code /metrics/find} (GET and POST) and
 * {@code /metrics/expand}, an annotation from a target, the function index, the version, and a bad target.
 * Every answer's shape is what Grafana parses, and its values are the points written.
 */
class GrafanaRequestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STEP = 5;
    private static final List<String> HOSTS = List.of("web1", "web2", "web3");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final RecentStore store = new RecentStore(16 << 20, 3600, STEP);
    /** time -> value of each host's rate, as written */
    private final Map<String, Map<Long, Double>> written = new HashMap<>();
    private final List<Long> deploys = new ArrayList<>();
    private GraphsServer server;
    private long now;

    @BeforeEach
    void start() {
        Config config = Config.defaults(HttpKeys.ALL).with(HttpKeys.HTTP_PORT, 0);
        server = new GraphsServer(config, store, () -> new PipelineStatus(List.of()), "occurrences");
        server.start();
        now = System.currentTimeMillis() / 1000;
        long last = now - Math.floorMod(now, STEP) - STEP;
        Random random = new Random(20);
        for (String host : HOSTS) {
            Map<Long, Double> points = new HashMap<>();
            for (long t = last - 3590; t <= last; t += STEP) {
                if (random.nextInt(10) == 0) {
                    continue; // a gap
                }
                double v = random.nextInt(2000) / 10.0;
                store.accept("production." + host + ".page-views.rate-per-second", new Point(v, t));
                points.put(t, v);
            }
            written.put(host, points);
        }
        for (long t = last - 3000; t < last; t += 900) {
            store.accept("production.web1.deploys.occurrences", new Point(1, t));
            deploys.add(t);
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void saveAndTestIsAConstantLineOverTheLastHour() throws Exception {
        long from = now - 3600;
        HttpResponse<String> r = postRender("constantLine(100)", Long.toString(from), Long.toString(now), 100);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode series = JSON.readTree(r.body());
        assertEquals(1, series.size());
        assertEquals("100.0", series.get(0).get("target").asText());
        JsonNode points = series.get(0).get("datapoints");
        assertEquals(3, points.size(), points.toString());
        for (JsonNode p : points) {
            assertEquals(100.0, p.get(0).asDouble());
            assertTrue(p.get(1).isIntegralNumber() && p.get(1).asLong() >= from && p.get(1).asLong() <= now,
                    p.toString());
        }
    }

    @Test
    void aPanelQueryIsConsolidatedToTheWidthWithAndWithoutTheRefIdWrapping() throws Exception {
        String target = "aliasByNode(production.*.page-views.rate-per-second, 1)";
        for (String sent : List.of(target, "aliasSub(" + target + ", \"(^.*$)\", \"\\1 A\")")) {
            boolean wrapped = sent.startsWith("aliasSub");
            HttpResponse<String> r = postRender(sent, "-1h", "now", 300);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode series = JSON.readTree(r.body());
            assertEquals(HOSTS.size(), series.size(), r.body());
            int checked = 0;
            for (int s = 0; s < HOSTS.size(); s++) {
                String host = HOSTS.get(s);
                JsonNode one = series.get(s);
                assertEquals(wrapped ? host + " A" : host, one.get("target").asText());
                assertEquals(one.get("target").asText(), one.get("tags").get("name").asText());
                JsonNode points = one.get("datapoints");
                // 721 windows of 5 s for 300 points: 3 values a point, 15 s apart, aligned to 15 s
                assertTrue(points.size() <= 300 && points.size() >= 235, "points: " + points.size());
                long previous = 0;
                for (JsonNode p : points) {
                    long t = p.get(1).asLong();
                    assertEquals(0, t % 15, "aligned to the band: " + p);
                    assertTrue(previous == 0 || t == previous + 15, "15 s apart: " + p);
                    previous = t;
                    // graphite-web's bands are centred: the point at t is the mean of the windows t-5, t, t+5
                    double sum = 0;
                    int n = 0;
                    for (long w = t - 5; w <= t + 5; w += 5) {
                        Double v = written.get(host).get(w);
                        if (v != null) {
                            sum += v;
                            n++;
                        }
                    }
                    if (n == 0) {
                        assertTrue(p.get(0).isNull(), "no window written: null " + p);
                    } else {
                        assertEquals(sum / n, p.get(0).asDouble(), 1e-9, host + " at " + t);
                        checked++;
                    }
                }
            }
            assertTrue(checked > 600, "consolidated points checked: " + checked);
        }
    }

    @Test
    void aTemplateVariableIsFoundAndExpanded() throws Exception {
        // datasource.ts metricFindQuery: GET /metrics/find?query=...&from=...&until=...
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/metrics/find?query=" + enc("production.*")
                + "&from=-6h&until=now")).GET());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode found = JSON.readTree(r.body());
        List<String> texts = new ArrayList<>();
        for (JsonNode f : found) {
            texts.add(f.get("text").asText());
            assertEquals(1, f.get("expandable").asInt(), "a host is a branch: " + f);
        }
        assertEquals(HOSTS, texts);
        // the newer backend posts the query as a form
        r = send(HttpRequest.newBuilder(uri("/metrics/find")).header("Content-Type",
                "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("query="
                        + enc("production.web1.*"))));
        assertEquals(200, r.statusCode(), r.body());
        found = JSON.readTree(r.body());
        assertEquals(2, found.size(), r.body());
        assertEquals("deploys", found.get(0).get("text").asText());
        assertEquals("production.web1.page-views", found.get(1).get("id").asText());
        // a multi-value variable ("All") expanded to its paths
        r = send(HttpRequest.newBuilder(uri("/metrics/expand?query=" + enc("production.*.page-views.*")
                + "&leavesOnly=1")).GET());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode results = JSON.readTree(r.body()).get("results");
        assertEquals(3, results.size(), r.body());
        assertEquals("production.web1.page-views.rate-per-second", results.get(0).asText());
        // the variable used in a panel: {web1,web2} as Grafana's glob formatting writes it
        HttpResponse<String> panel = postRender("production.{web1,web2}.page-views.rate-per-second", "-15min",
                "now", 1000);
        assertEquals(2, JSON.readTree(panel.body()).size(), panel.body());
    }

    @Test
    void anAnnotationFromATargetMarksEachDeploy() throws Exception {
        // datasource.ts annotationQuery: the target rendered with maxDataPoints 100; every non-zero point is an event
        HttpResponse<String> r = postRender("production.*.deploys.occurrences", "-1h", "now", 100);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode series = JSON.readTree(r.body());
        assertEquals(1, series.size(), r.body());
        List<Long> events = new ArrayList<>();
        for (JsonNode p : series.get(0).get("datapoints")) {
            if (!p.get(0).isNull() && p.get(0).asDouble() != 0) {
                events.add(p.get(1).asLong());
            }
        }
        assertEquals(deploys.size(), events.size(), "one event per deploy: " + events + " vs " + deploys);
        for (int i = 0; i < deploys.size(); i++) {
            // 721 windows in 100 points: bands of 8 windows (40 s); the event is drawn at its band
            assertTrue(Math.abs(events.get(i) - deploys.get(i)) <= 40, events.get(i) + " vs deploy " + deploys.get(i));
        }
        // "Graphite events" annotations: Riffle has no event store, an empty list rather than an error
        HttpResponse<String> events2 = send(HttpRequest.newBuilder(uri("/events/get_data?from=-1h&until=now&tags="
                + enc("deploy"))).GET());
        assertEquals(200, events2.statusCode());
        assertEquals("[]", events2.body());
    }

    @Test
    void theFunctionIndexAndTheVersionAreWhatGrafanasEditorReads() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/functions")).GET());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode functions = JSON.readTree(r.body());
        assertTrue(functions.isObject());
        for (String name : List.of("aliasSub", "constantLine", "alias", "cactiStyle", "color", "scale", "sumSeries",
                "derivative", "maxSeries", "keepLastValue", "timeShift", "transformNull", "movingAverage", "group",
                "averageSeries", "lineWidth", "removeAboveValue", "aliasByNode", "removeBelowValue", "divideSeries",
                "diffSeries", "secondYAxis", "asPercent", "groupByNode", "perSecond", "integral", "highestCurrent",
                "sortByMaxima", "limit", "offset", "absolute", "minSeries", "countSeries",
                "averageSeriesWithWildcards", "sumSeriesWithWildcards")) {
            JsonNode f = functions.get(name);
            assertTrue(f != null, "/functions lacks " + name);
            assertEquals(name, f.get("name").asText());
            assertFalse(f.get("group").asText().isEmpty(), name);
            assertTrue(f.get("params").isArray() && f.get("params").size() > 0, name);
            for (JsonNode p : f.get("params")) {
                assertTrue(p.has("name") && p.has("type"), name + ": " + p);
            }
        }
        assertEquals("seriesList", functions.get("aliasSub").get("params").get(0).get("type").asText());
        assertTrue(functions.get("sumSeries").get("params").get(0).get("multiple").asBoolean());
        HttpResponse<String> version = send(HttpRequest.newBuilder(uri("/version")).GET());
        assertEquals(200, version.statusCode());
        assertTrue(version.body().matches("\\d+\\.\\d+\\.\\d+"), version.body()); // Grafana checks it is a semver
    }

    @Test
    void aBadTargetIsA400WithOneLine() throws Exception {
        for (String bad : List.of("aliasSub(production.*.page-views.rate-per-second, \"(\", \"x\")",
                "sumSeries(production.*.page-views.rate-per-second", "nosuchFunction(a.b)",
                "movingAverage(production.web1.page-views.rate-per-second, 'often')")) {
            HttpResponse<String> r = postRender(bad, "-1h", "now", 100);
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
            assertEquals(1, r.body().strip().lines().count(), r.body());
        }
    }

    // ---- as Grafana sends them

    /** query.go createGraphiteRequest: POST /render, form-encoded target, from, until, format, maxDataPoints. */
    private HttpResponse<String> postRender(String target, String from, String until, int maxDataPoints)
            throws Exception {
        String form = "target=" + enc(target) + "&from=" + enc(from) + "&until=" + enc(until) + "&format=json"
                + "&maxDataPoints=" + maxDataPoints + "&cacheTimeout=0";
        return send(HttpRequest.newBuilder(uri("/render"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
