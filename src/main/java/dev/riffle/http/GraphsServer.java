package dev.riffle.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.riffle.config.Config;
import dev.riffle.core.Stage;
import dev.riffle.core.StartupException;
import dev.riffle.graph.Consolidation;
import dev.riffle.graph.GraphiteQuery;
import dev.riffle.graph.GraphiteTime;
import dev.riffle.graph.QueryException;
import dev.riffle.graph.RecentStore;
import dev.riffle.graph.TimeSeries;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The http stage: the graphs page (static files from the jar, uPlot from its webjar), graphite-web's
 * {@code /metrics/find} and {@code /render} answered from the {@link RecentStore}, {@code /healthz} and
 * {@code /api/status} from the figures the CLI hands in. JDK's HttpServer on {@code http_bind} (loopback by
 * default), a few worker threads and a bounded queue; request bodies are bounded; a bad request is a 400 with a
 * one-line message, an unexpected failure a 500 without details (logged at a bounded rate).
 */
public final class GraphsServer implements Stage {
    private static final Logger log = LoggerFactory.getLogger(GraphsServer.class);
    private static final JsonFactory JSON = new JsonFactory();
    static final int MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_OCCURRENCE_SERIES = 200;
    static final int MAX_SEARCH_RESULTS = 200;
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"/dev/riffle/http/index.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {"/dev/riffle/http/index.html", "text/html; charset=utf-8"},
            "/app.js", new String[] {"/dev/riffle/http/app.js", "text/javascript; charset=utf-8"},
            "/app.css", new String[] {"/dev/riffle/http/app.css", "text/css; charset=utf-8"},
            "/uplot/uPlot.iife.min.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/uplot/uPlot.min.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"});

    private final String bind;
    private final int port;
    private final RecentStore store;
    private final GraphiteQuery query;
    private final Supplier<PipelineStatus> status;
    private final String occurrenceNode;
    private final LongAdder requests = new LongAdder();
    private final LongAdder badRequests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private volatile long lastFailureLog;
    private HttpServer server;
    private ThreadPoolExecutor workers;

    /**
     * @param status the pipeline's stages and their status lines (the CLI owns them)
     * @param occurrenceNode the last path node of occurrence series ({@code topology.suffix.occurrence})
     */
    public GraphsServer(Config config, RecentStore store, Supplier<PipelineStatus> status, String occurrenceNode) {
        this.bind = config.get(HttpKeys.HTTP_BIND);
        this.port = config.get(HttpKeys.HTTP_PORT);
        this.store = store;
        this.query = new GraphiteQuery(store);
        this.status = status;
        this.occurrenceNode = occurrenceNode;
    }

    /** Before anything starts: the page's port must be free (0 = off, nothing to check). */
    public static void checkPortFree(Config config) {
        int port = config.get(HttpKeys.HTTP_PORT);
        if (port == 0) {
            return;
        }
        String bind = config.get(HttpKeys.HTTP_BIND);
        if (!HealthServer.portFree(bind, port)) {
            throw new StartupException("the graphs page's port " + port + " on " + bind + " is in use (another "
                    + "Riffle, or a web server?); free it or set " + HttpKeys.HTTP_PORT.name() + " ("
                    + HttpKeys.HTTP_PORT.envName() + "), 0 for no page");
        }
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public void start() {
        try {
            server = HttpServer.create(new InetSocketAddress(bind, port), 64);
        } catch (BindException e) {
            throw new StartupException("the graphs page cannot listen on " + bind + ":" + port + " (" + e.getMessage()
                    + "); set " + HttpKeys.HTTP_PORT.envName() + " to a free port, or 0 for no page");
        } catch (IOException e) {
            throw new StartupException("the graphs page cannot listen on " + bind + ":" + port + ": " + e);
        }
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), r -> {
            Thread t = new Thread(r, "riffle-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        server.setExecutor(workers);
        server.createContext("/", this::handle);
        server.start();
        log.info("graphs page on http://{}:{}/", bind.contains(":") ? "[" + bind + "]" : bind, port());
    }

    /** The port listened on (the configured one, or the one picked for 0 in tests). */
    public int port() {
        return server == null ? port : server.getAddress().getPort();
    }

    /** The address to print in the start-up line. */
    public String url() {
        return "http://" + (bind.contains(":") ? "[" + bind + "]" : bind) + ":" + port() + "/";
    }

    private void handle(HttpExchange ex) {
        requests.increment();
        // not try-with-resources: that would close the exchange before the catch blocks could answer
        try {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("POST") && !method.equals("HEAD")) {
                send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            String path = ex.getRequestURI().getPath();
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            switch (path) {
                case "/metrics/find" -> find(ex);
                case "/metrics/expand" -> expand(ex);
                case "/render" -> render(ex);
                case "/version" -> send(ex, 200, "text/plain; charset=utf-8", GraphiteQuery.GRAPHITE_VERSION);
                case "/functions" -> send(ex, 200, "application/json", GraphiteQuery.functionsJson());
                // Riffle's series have no tags and there is no event store: empty answers, not errors, for
                // Grafana's tag editor and its "Graphite events" annotations
                case "/tags/autoComplete/tags", "/tags/autoComplete/values", "/events/get_data" ->
                        send(ex, 200, "application/json", "[]");
                case "/healthz" -> healthz(ex);
                case "/api/status" -> status(ex);
                case "/api/occurrences" -> occurrences(ex);
                case "/api/search" -> search(ex);
                default -> file(ex, path.isEmpty() ? "/" : path);
            }
        } catch (QueryException e) {
            badRequests.increment();
            sendQuietly(ex, 400, e.getMessage() + "\n");
        } catch (RuntimeException | IOException e) {
            failures.increment();
            long now = System.currentTimeMillis();
            if (now - lastFailureLog >= 60_000) {
                lastFailureLog = now;
                log.warn("http request {} failed ({} failures so far)", ex.getRequestURI(), failures.sum(), e);
            }
            sendQuietly(ex, 500, "internal error (see Riffle's log)\n");
        } finally {
            ex.close();
        }
    }

    private void find(HttpExchange ex) throws IOException {
        Map<String, List<String>> params = params(ex);
        String format = first(params, "format", "treejson");
        if (!format.equals("treejson")) {
            throw new QueryException("unsupported format '" + format + "': only treejson");
        }
        send(ex, 200, "application/json", query.findJson(first(params, "query", null)));
    }

    private void expand(HttpExchange ex) throws IOException {
        Map<String, List<String>> params = params(ex);
        send(ex, 200, "application/json", query.expandJson(params.getOrDefault("query", List.of()),
                flag(first(params, "leavesOnly", "0")), flag(first(params, "groupByExpr", "0"))));
    }

    private static boolean flag(String value) {
        return value.equals("1") || value.equalsIgnoreCase("true");
    }

    private void render(HttpExchange ex) throws IOException {
        Map<String, List<String>> params = params(ex);
        String format = first(params, "format", "json");
        if (!format.equals("json")) {
            throw new QueryException("unsupported format '" + format + "': only json");
        }
        long now = System.currentTimeMillis() / 1000;
        ZoneId zone = zone(first(params, "tz", null));
        long from = GraphiteTime.parse(first(params, "from", "-24h"), now, zone);
        long until = GraphiteTime.parse(first(params, "until", "now"), now, zone);
        until = Math.min(until, now); // as whisper: nothing from the future
        List<TimeSeries> series = query.render(params.getOrDefault("target", List.of()), from, until);
        String maxDataPoints = first(params, "maxDataPoints", "");
        if (!maxDataPoints.isEmpty()) {
            // graphite-web reads only digits here and ignores anything else
            if (maxDataPoints.chars().allMatch(Character::isDigit) && maxDataPoints.length() < 10) {
                series = Consolidation.apply(series, Integer.parseInt(maxDataPoints));
            }
        }
        send(ex, 200, "application/json", GraphiteQuery.renderJson(series));
    }

    private static ZoneId zone(String tz) {
        if (tz == null || tz.isBlank()) {
            return ZoneId.systemDefault();
        }
        try {
            return ZoneId.of(tz);
        } catch (RuntimeException e) {
            throw new QueryException("unknown time zone '" + tz + "'");
        }
    }

    private void healthz(HttpExchange ex) throws IOException {
        PipelineStatus s = status.get();
        send(ex, s.healthy() ? 200 : 503, "text/plain; charset=utf-8", s.report());
    }

    private void status(HttpExchange ex) throws IOException {
        PipelineStatus s = status.get();
        RecentStore.Stats st = store.stats();
        send(ex, 200, "application/json", json(g -> {
            g.writeStartObject();
            g.writeNumberField("time", System.currentTimeMillis() / 1000.0);
            g.writeBooleanField("healthy", s.healthy());
            g.writeArrayFieldStart("stages");
            for (PipelineStatus.StageStatus stage : s.stages()) {
                g.writeStartObject();
                g.writeStringField("name", stage.name());
                g.writeBooleanField("running", stage.running());
                g.writeStringField("status", stage.line());
                g.writeObjectFieldStart("figures");
                for (Map.Entry<String, Double> f : figures(stage.line()).entrySet()) {
                    g.writeNumberField(f.getKey(), f.getValue());
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("store");
            g.writeNumberField("series", st.series());
            g.writeNumberField("points", st.points());
            g.writeNumberField("bytes", st.bytes());
            g.writeNumberField("budget_bytes", st.budgetBytes());
            g.writeNumberField("points_stored", st.pointsStored());
            g.writeNumberField("points_too_old", st.pointsTooOld());
            g.writeNumberField("series_evicted", st.seriesEvicted());
            g.writeNumberField("series_refused", st.seriesRefused());
            g.writeNumberField("step_seconds", store.stepSeconds());
            g.writeEndObject();
            g.writeObjectFieldStart("http");
            g.writeNumberField("requests", requests.sum());
            g.writeNumberField("bad_requests", badRequests.sum());
            g.writeNumberField("failures", failures.sum());
            g.writeEndObject();
            g.writeEndObject();
        }));
    }

    private static final Pattern FIGURE = Pattern.compile(
            "([a-z][a-z -]*?) (-?\\d+(?:\\.\\d+)?)(?: ms)?(?: \\((-?\\d+(?:\\.\\d+)?)/s\\))?");
    private static final Pattern CONNECTED = Pattern.compile("graphite (\\d+)/(\\d+) connected");

    /**
     * The figures of a status line, keyed by their words: {@code events in 120, lag 0} -> events_in 120, lag 0;
     * {@code points written 40 (8/s)} also gives points_written_per_second 8; {@code graphite 1/2 connected} gives
     * graphite_connected 1 and graphite_endpoints 2.
     */
    static Map<String, Double> figures(String line) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String segment : line.split(",|;|\\|")) {
            String seg = segment.trim();
            Matcher c = CONNECTED.matcher(seg);
            if (c.lookingAt()) {
                out.put("graphite_connected", Double.parseDouble(c.group(1)));
                out.put("graphite_endpoints", Double.parseDouble(c.group(2)));
                continue;
            }
            Matcher m = FIGURE.matcher(seg);
            if (m.lookingAt()) {
                String key = m.group(1).trim().replace(' ', '_').replace('-', '_');
                out.putIfAbsent(key, Double.parseDouble(m.group(2)));
                if (m.group(3) != null) {
                    out.putIfAbsent(key + "_per_second", Double.parseDouble(m.group(3)));
                }
            }
        }
        return out;
    }

    /** The occurrence series ({@code ...occurrences}) and the times of their points, for the charts' markers. */
    private void occurrences(HttpExchange ex) throws IOException {
        Map<String, List<String>> params = params(ex);
        long now = System.currentTimeMillis() / 1000;
        long from = GraphiteTime.parse(first(params, "from", "-1h"), now, ZoneId.systemDefault());
        long until = Math.min(now, GraphiteTime.parse(first(params, "until", "now"), now, ZoneId.systemDefault()));
        List<String> paths = store.pathsEndingWith(occurrenceNode, MAX_OCCURRENCE_SERIES);
        List<TimeSeries> series = new ArrayList<>();
        if (!paths.isEmpty() && from < until) {
            series = query.render(paths, from, until);
        }
        List<TimeSeries> found = series;
        send(ex, 200, "application/json", json(g -> {
            g.writeStartArray();
            for (TimeSeries s : found) {
                g.writeStartObject();
                g.writeStringField("path", s.name());
                g.writeArrayFieldStart("times");
                double[] v = s.values();
                for (int i = 0; i < v.length; i++) {
                    if (!Double.isNaN(v[i]) && v[i] > 0) {
                        g.writeNumber(s.start() + (long) i * s.step());
                    }
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        }));
    }

    /** Series whose path contains the text: the page's search box. */
    private void search(HttpExchange ex) throws IOException {
        String q = first(params(ex), "q", "");
        if (q.isBlank()) {
            throw new QueryException("missing parameter: q");
        }
        List<String> paths = store.search(q.trim(), MAX_SEARCH_RESULTS);
        send(ex, 200, "application/json", json(g -> {
            g.writeStartArray();
            for (String p : paths) {
                g.writeString(p);
            }
            g.writeEndArray();
        }));
    }

    private void file(HttpExchange ex, String path) throws IOException {
        String[] file = FILES.get(path);
        if (file == null) {
            send(ex, 404, "text/plain; charset=utf-8", "not found: " + path + "\n");
            return;
        }
        try (InputStream in = GraphsServer.class.getResourceAsStream(file[0])) {
            if (in == null) {
                throw new IOException("resource missing from the jar: " + file[0]);
            }
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            send(ex, 200, file[1], in.readAllBytes());
        }
    }

    // ---- request and response plumbing

    /** Query string and, for a form POST (as Grafana sends render requests), the body; each bounded. */
    private static Map<String, List<String>> params(HttpExchange ex) throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        parseForm(ex.getRequestURI().getRawQuery(), out);
        if (ex.getRequestMethod().equals("POST")) {
            byte[] body = ex.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw new QueryException("request body over " + MAX_BODY_BYTES + " bytes");
            }
            String type = ex.getRequestHeaders().getFirst("Content-Type");
            if (type == null || type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
                parseForm(new String(body, StandardCharsets.UTF_8), out);
            }
        }
        return out;
    }

    private static void parseForm(String raw, Map<String, List<String>> out) {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            } catch (IllegalArgumentException e) {
                throw new QueryException("bad URL encoding in '" + pair + "'");
            }
        }
    }

    private static String first(Map<String, List<String>> params, String name, String def) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? def : v.get(0);
    }

    private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
        send(ex, code, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(code, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void sendQuietly(HttpExchange ex, int code, String message) {
        try {
            send(ex, code, "text/plain; charset=utf-8", message);
        } catch (IOException | RuntimeException e) {
            // headers already sent, or the client went away: nothing more to tell it
        }
    }

    private interface JsonWriter {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] json(JsonWriter w) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            w.write(g);
        }
        return out.toByteArray();
    }

    @Override
    public String status() {
        RecentStore.Stats st = store.stats();
        return "requests " + requests.sum() + ", bad " + badRequests.sum() + ", failed " + failures.sum()
                + ", series " + st.series() + ", store " + st.bytes() / 1024 + " KiB of " + st.budgetBytes() / 1024;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
