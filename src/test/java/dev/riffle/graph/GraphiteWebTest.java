package dev.riffle.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.riffle.core.Point;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The same points in Riffle's store and in whisper files read by Debian's graphite-web (1.1, through Django's test
 * client): every find and render answer must be equal (series names, timestamps, values and nulls), and a target
 * graphite-web refuses (400) or fails on (500) Riffle refuses with a 400. Skips only when graphite-web or whisper's tools are not installed
 * ({@code scripts/test} installs them).
 */
@Tag("slow")
class GraphiteWebTest {
    private static final int STEP = 10;
    private static final int WINDOWS = 60;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger log = LoggerFactory.getLogger(GraphiteWebTest.class);

    @TempDir
    Path dir;

    @Test
    void findAndRenderAnswerAsGraphiteWebDoes() throws Exception {
        Assumptions.assumeTrue(graphiteWebInstalled(), "graphite-web (Debian's graphite-web) or whisper-create "
                + "(python3-whisper) is not installed: apt-get install graphite-web python3-whisper");
        long now = System.currentTimeMillis() / 1000;
        long t0 = now - Math.floorMod(now, 60) - 3600 + 20; // 20 s past a minute: summarize's buckets cut windows
        RecentStore store = new RecentStore(1 << 22, 86_400, STEP);
        Random random = new Random(7);
        Map<String, double[]> series = new LinkedHashMap<>();
        for (String host : List.of("all-hosts", "web1", "web2", "web3")) {
            series.put("production." + host + ".page-views.rate-per-second", values(random, 0.2, false));
            series.put("production." + host + ".search-time.value.99", values(random, 0.1, false));
        }
        series.put("staging.web1.page-views.rate-per-second", values(random, 0.5, false));
        series.put("production.db1.users.count", values(random, 0.05, true)); // a counter with resets and gaps
        series.put("production.db1.bytes.count", values(random, 0, true)); // no gaps: graphite-web fails on a null
        // with maxValue
        series.put("production.web1.deploys.occurrences", values(random, 0.9, false));
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            Path file = dir.resolve("whisper").resolve(e.getKey().replace('.', '/') + ".wsp");
            Files.createDirectories(file.getParent());
            run(List.of("whisper-create", file.toString(), STEP + ":1d"));
            List<String> update = new ArrayList<>(List.of("whisper-update", file.toString()));
            double[] v = e.getValue();
            for (int i = 0; i < v.length; i++) {
                if (!Double.isNaN(v[i])) {
                    long t = t0 + (long) STEP * (i + 1);
                    update.add(t + ":" + v[i]);
                    store.accept(e.getKey(), new Point(v[i], t));
                }
            }
            run(update);
        }
        GraphiteQuery query = new GraphiteQuery(store);
        long from = t0;
        long until = t0 + (long) STEP * WINDOWS;
        List<String> targets = List.of(
                "production.web1.page-views.rate-per-second",
                "production.*.page-views.rate-per-second",
                "{production,staging}.web1.page-views.rate-per-second",
                "production.web[12].search-time.value.99",
                "production.web[!1].search-time.value.99",
                "sumSeries(production.web*.page-views.rate-per-second)",
                "averageSeries(production.web*.page-views.rate-per-second)",
                "maxSeries(production.web1.search-time.value.99,production.web2.search-time.value.99)",
                "alias(production.web1.page-views.rate-per-second,\"web one\")",
                "aliasByNode(production.*.page-views.rate-per-second,1)",
                "aliasByNode(sumSeries(production.*.search-time.value.99),0,-1)",
                "scale(production.web1.page-views.rate-per-second,0.5)",
                "scale(production.web1.page-views.rate-per-second,1e-05)",
                "nonNegativeDerivative(production.db1.users.count)",
                "nonNegativeDerivative(production.db1.bytes.count,1000)",
                "nonNegativeDerivative(production.db1.bytes.count,500,3)",
                "summarize(production.web1.page-views.rate-per-second,\"1min\")",
                "summarize(production.web1.page-views.rate-per-second,\"1min\",\"max\")",
                "summarize(production.web1.page-views.rate-per-second,\"45s\",\"avg\")",
                "summarize(production.web1.deploys.occurrences,\"2min\",\"sum\",true)",
                "highestMax(production.*.search-time.value.99,2)",
                "highestMax(production.*.search-time.value.99)",
                "aliasByNode(highestMax(production.*.page-views.rate-per-second,3),1)",
                "aliasByNode(exclude(production.*.page-views.rate-per-second,'all-hosts'),1,2)",
                "exclude(production.*.search-time.value.99,'web[12]')",
                // the functions Grafana's dashboards use most (issue 20), each against graphite-web too
                "minSeries(production.web*.page-views.rate-per-second)",
                "sum(production.web*.page-views.rate-per-second)",
                "diffSeries(production.web1.page-views.rate-per-second,production.web2.page-views.rate-per-second)",
                "countSeries(production.*.page-views.rate-per-second)",
                "countSeries()",
                "group(production.web1.search-time.value.99,production.web2.page-views.rate-per-second)",
                "aggregate(production.web*.page-views.rate-per-second,'median')",
                "aggregate(production.web*.page-views.rate-per-second,'stddev')",
                "aggregate(production.web*.page-views.rate-per-second,'multiply')",
                "aggregate(production.web*.page-views.rate-per-second,'avg_zero')",
                "aggregate(production.web*.page-views.rate-per-second,'range')",
                "aggregate(production.web*.page-views.rate-per-second,'count')",
                "aggregate(production.web*.page-views.rate-per-second,'last')",
                "aggregate(production.web*.page-views.rate-per-second,'diff')",
                "sumSeriesWithWildcards(production.*.page-views.rate-per-second,1)",
                "averageSeriesWithWildcards({production,staging}.*.page-views.rate-per-second,0,1)",
                "groupByNode({production,staging}.web1.page-views.rate-per-second,1)",
                "groupByNode(production.*.*.rate-per-second,2,'sumSeries')",
                "groupByNode(production.*.search-time.value.99,3,'max')",
                "groupByNodes(production.*.search-time.value.99,'sum',0,2)",
                "divideSeries(production.*.page-views.rate-per-second,production.web1.search-time.value.99)",
                "divideSeries(production.web1.page-views.rate-per-second,no.such.series)",
                "divideSeries(production.web1.page-views.rate-per-second,production.*.search-time.value.99)",
                "asPercent(production.web*.page-views.rate-per-second)",
                "asPercent(production.web1.page-views.rate-per-second,200)",
                "asPercent(production.web*.page-views.rate-per-second,production.all-hosts.page-views.rate-per-second)",
                "asPercent(production.web[12].page-views.rate-per-second,production.web[12].search-time.value.99)",
                "asPercent({production,staging}.*.page-views.rate-per-second,None,1)",
                "asPercent(production.web*.*.*,production.web*.page-views.rate-per-second,1)",
                // a group without a total and a total without a group (MISSING); graphite-web 1.1.8 fails when the
                // first group has no total (it reads a grid it has not set yet), so web2 comes first here
                "asPercent(production.web[23].page-views.rate-per-second,production.web[12].search-time.value.99,1)",
                "derivative(production.db1.users.count)",
                "perSecond(production.db1.users.count)",
                "perSecond(production.db1.bytes.count,1000)",
                "integral(production.web1.search-time.value.99)",
                "keepLastValue(staging.web1.page-views.rate-per-second)",
                "keepLastValue(staging.web1.page-views.rate-per-second,2)",
                "transformNull(staging.web1.page-views.rate-per-second)",
                "transformNull(staging.web1.page-views.rate-per-second,-1.5)",
                // positional: graphite-web 1.1.8 prefetches no path given as a keyword (it finds no series there)
                "transformNull(staging.web1.page-views.rate-per-second,0,production.web1.page-views.rate-per-second)",
                "removeAboveValue(production.web1.page-views.rate-per-second,250)",
                "removeBelowValue(production.web1.page-views.rate-per-second,250)",
                "offset(production.web1.page-views.rate-per-second,-10.5)",
                "absolute(offset(production.web1.page-views.rate-per-second,-250))",
                "limit(production.*.page-views.rate-per-second,2)",
                "limit(production.*.page-views.rate-per-second,-1)",
                "highestCurrent(production.*.search-time.value.99,2)",
                "sortByMaxima(production.*.search-time.value.99)",
                "movingAverage(production.web1.page-views.rate-per-second,5)",
                "movingAverage(staging.web1.page-views.rate-per-second,'1min')",
                "movingAverage(staging.web1.page-views.rate-per-second,3,0.5)",
                "timeShift(production.web1.page-views.rate-per-second,'1min')",
                "timeShift(production.web1.page-views.rate-per-second,'-2min')",
                "timeShift(production.web1.page-views.rate-per-second,'30s',false)",
                "constantLine(100)",
                "constantLine(1.5)",
                "aliasSub(production.*.page-views.rate-per-second,'(^.*$)','\\1 A')",
                "aliasSub(sumSeries(production.web*.page-views.rate-per-second), \"(^.*$)\", \"\\1 B\")",
                "aliasSub(production.*.page-views.rate-per-second,'production\\.(\\w+)\\..*','\\1 \\g<1>')",
                "aliasSub(production.*.page-views.rate-per-second,'(?P<host>web\\d)','<\\g<host>>')",
                "aliasSub(production.web1.page-views.rate-per-second,'page-views','\\.pv\\t')",
                "aliasSub(production.web1.page-views.rate-per-second,'page-views','\\q')", // a bad escape
                "cactiStyle(production.web[12].search-time.value.99)",
                "cactiStyle(production.db1.bytes.count,'si')",
                "cactiStyle(production.db1.bytes.count,'binary','B')",
                "cactiStyle(production.web1.page-views.rate-per-second,units='req/s')",
                "cactiStyle(no.such.series)",
                "color(production.web1.page-views.rate-per-second,'red')",
                "lineWidth(production.web1.page-views.rate-per-second,2)",
                "alpha(production.web1.page-views.rate-per-second,0.5)",
                "secondYAxis(production.web1.page-views.rate-per-second)",
                "aliasByNode(secondYAxis(production.*.page-views.rate-per-second),1)",
                "consolidateBy(production.web1.page-views.rate-per-second,'max')",
                "summarize(staging.web1.page-views.rate-per-second,'1min','avg_zero')",
                "summarize(staging.web1.page-views.rate-per-second,'30s','multiply')",
                "summarize(staging.web1.page-views.rate-per-second,'1min','median')",
                "summarize(staging.web1.page-views.rate-per-second,'50s','count',true)",
                "sumSeries(no.such.series)",
                "no.such.series",
                "unknownFunction(production.web1.page-views.rate-per-second)",
                "scale(production.web1.page-views.rate-per-second,\"x\")",
                "alias(production.web1.page-views.rate-per-second)");
        // maxDataPoints, as Grafana sends the panel's width: graphite-web's JSON consolidation
        List<List<String>> consolidated = List.of(
                List.of("production.web1.page-views.rate-per-second", "7"),
                List.of("production.web1.page-views.rate-per-second", "1"),
                List.of("production.web1.page-views.rate-per-second", "100"),
                List.of("staging.web1.page-views.rate-per-second", "13"),
                List.of("consolidateBy(staging.web1.page-views.rate-per-second,'max')", "7"),
                List.of("consolidateBy(staging.web1.page-views.rate-per-second,'sum')", "9"),
                List.of("consolidateBy(staging.web1.page-views.rate-per-second,'min')", "11"),
                List.of("consolidateBy(staging.web1.page-views.rate-per-second,'first')", "7"),
                List.of("consolidateBy(staging.web1.page-views.rate-per-second,'last')", "7"),
                List.of("consolidateBy(staging.web1.page-views.rate-per-second,'avg_zero')", "7"),
                List.of("summarize(production.web1.page-views.rate-per-second,\"1min\")", "4"),
                List.of("constantLine(100)", "100"));
        List<String> expands = List.of("query=production.*", "query=production.*&query=staging.*",
                "query=production.web1.*&leavesOnly=1", "query=*&query=production.*&groupByExpr=1", "query=nothing.*");
        // not compared: a target that does not parse. graphite-web's parser reads what it can of it
        // ("sumSeries(a.b" answers [], "a.b)" answers a.b); Riffle refuses it with a 400 naming the character
        List<String> finds = List.of("*", "production.*", "production.web1.*", "production.*.page-views.*",
                "production.{web1,db1}.*", "production.web[23]", "nothing.*");

        List<String> requests = new ArrayList<>();
        for (String t : targets) {
            requests.add("render target=" + enc(t) + "&from=" + from + "&until=" + until + "&format=json");
        }
        requests.add("render target=" + enc(targets.get(1)) + "&target=" + enc(targets.get(5)) + "&from="
                + (from + 7) + "&until=" + (until - 13) + "&format=json"); // several targets, unaligned range
        for (String f : finds) {
            requests.add("metrics/find query=" + enc(f));
        }
        for (List<String> c : consolidated) {
            requests.add("render target=" + enc(c.get(0)) + "&from=" + from + "&until=" + until
                    + "&format=json&maxDataPoints=" + c.get(1));
        }
        // several targets, one of them a constant line (the time range is the union of theirs)
        requests.add("render target=" + enc("constantLine(100)") + "&target=" + enc(targets.get(0)) + "&from="
                + from + "&until=" + until + "&format=json&maxDataPoints=8");
        for (String e : expands) {
            requests.add("metrics/expand " + e.replace("*", "%2A"));
        }
        List<JsonNode> answers = graphiteWeb(requests);
        assertEquals(requests.size(), answers.size());

        int compared = 0;
        for (int i = 0; i < targets.size(); i++) {
            String target = targets.get(i);
            compared += compareRender(target, answers.get(i), () -> query.render(List.of(target), from, until));
        }
        compared += compareRender("two targets", answers.get(targets.size()),
                () -> query.render(List.of(targets.get(1), targets.get(5)), from + 7, until - 13));
        for (int i = 0; i < finds.size(); i++) {
            JsonNode gw = answers.get(targets.size() + 1 + i);
            assertEquals(200, gw.get("status").asInt(), finds.get(i));
            JsonNode expected = JSON.readTree(gw.get("body").asText());
            JsonNode ours = JSON.readTree(query.findJson(finds.get(i)));
            assertEquals(expected.size(), ours.size(), "find " + finds.get(i) + ": " + expected + " vs " + ours);
            for (int j = 0; j < expected.size(); j++) {
                for (String field : List.of("text", "id", "leaf", "expandable", "allowChildren")) {
                    assertEquals(expected.get(j).get(field), ours.get(j).get(field), "find " + finds.get(i) + " #" + j
                            + " " + field);
                }
            }
        }
        int at = targets.size() + 1 + finds.size();
        for (List<String> c : consolidated) {
            compared += compareRender(c.get(0) + " maxDataPoints=" + c.get(1), answers.get(at++), () ->
                    Consolidation.apply(query.render(List.of(c.get(0)), from, until), Integer.parseInt(c.get(1))));
        }
        compared += compareRender("constantLine and a series, maxDataPoints=8", answers.get(at++), () ->
                Consolidation.apply(query.render(List.of("constantLine(100)", targets.get(0)), from, until), 8));
        for (String e : expands) {
            JsonNode gw = answers.get(at++);
            assertEquals(200, gw.get("status").asInt(), e + ": " + gw);
            List<String> queries = new ArrayList<>();
            for (String param : e.split("&")) {
                if (param.startsWith("query=")) {
                    queries.add(param.substring(6));
                }
            }
            JsonNode ours = JSON.readTree(query.expandJson(queries, e.contains("leavesOnly=1"),
                    e.contains("groupByExpr=1")));
            assertEquals(JSON.readTree(gw.get("body").asText()), ours, "expand " + e);
        }
        long refused = answers.stream().filter(a -> a.get("status").asInt() != 200).count();
        log.info("{} requests to graphite-web and Riffle: {} datapoints equal, {} refused by both", answers.size(),
                compared, refused);
        assertTrue(compared > 2000, "datapoints compared: " + compared);
        assertEquals(6, refused, "only the 6 bad targets are refused (4 calls, a divisor of 4 series, a bad escape)");
    }

    private interface Render {
        List<TimeSeries> get();
    }

    /** Compares one answer; returns how many datapoints matched. */
    private static int compareRender(String what, JsonNode gw, Render ours) throws IOException {
        int status = gw.get("status").asInt();
        if (status != 200) {
            // graphite-web refuses (400) or fails (500, e.g. a missing argument is a TypeError there)
            try {
                ours.get();
            } catch (QueryException e) {
                return 0; // refused by both
            }
            throw new AssertionError(what + ": graphite-web refused it (" + gw.get("body").asText()
                    + ") but Riffle answered");
        }
        JsonNode expected = JSON.readTree(gw.get("body").asText());
        JsonNode actual = JSON.readTree(GraphiteQuery.renderJson(ours.get()));
        assertEquals(expected.size(), actual.size(), what + ": series " + expected + " vs " + actual);
        int n = 0;
        for (int s = 0; s < expected.size(); s++) {
            assertEquals(expected.get(s).get("target").asText(), actual.get(s).get("target").asText(), what);
            JsonNode e = expected.get(s).get("datapoints");
            JsonNode a = actual.get(s).get("datapoints");
            assertEquals(e.size(), a.size(), what + " " + expected.get(s).get("target") + " length");
            for (int p = 0; p < e.size(); p++) {
                String at = what + " " + expected.get(s).get("target") + " point " + p;
                assertEquals(e.get(p).get(1).asLong(), a.get(p).get(1).asLong(), at + " time");
                if (e.get(p).get(0).isNull()) {
                    assertTrue(a.get(p).get(0).isNull(), at + ": expected null, got " + a.get(p));
                } else {
                    double ev = e.get(p).get(0).asDouble();
                    assertEquals(ev, a.get(p).get(0).asDouble(), Math.abs(ev) * 1e-12, at);
                }
                n++;
            }
        }
        return n;
    }

    private static double[] values(Random random, double gapShare, boolean counter) {
        double[] v = new double[WINDOWS];
        double total = 0;
        for (int i = 0; i < WINDOWS; i++) {
            if (random.nextDouble() < gapShare) {
                v[i] = Double.NaN;
                continue;
            }
            if (counter) {
                total = random.nextDouble() < 0.1 ? random.nextInt(5) : total + random.nextInt(50);
                v[i] = total;
            } else {
                v[i] = Math.round(random.nextDouble() * 5000) / 10.0;
            }
        }
        return v;
    }

    private List<JsonNode> graphiteWeb(List<String> requests) throws Exception {
        for (String name : List.of("graphite_web_query.py", "graphite_web_settings.py")) {
            try (InputStream in = GraphiteWebTest.class.getResourceAsStream(name)) {
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        }
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", dir.resolve("graphite_web_query.py").toString());
        pb.environment().put("GW_DIR", dir.toString());
        pb.redirectError(dir.resolve("graphite-web.err").toFile());
        Process p = pb.start();
        try (Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
            for (String r : requests) {
                w.write(r + "\n");
            }
        }
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.add(JSON.readTree(line));
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("graphite-web did not finish in 60 s");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("graphite-web failed: " + Files.readString(dir.resolve("graphite-web.err")));
        }
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(command.get(0) + " failed: " + output);
        }
    }

    private static boolean graphiteWebInstalled() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import graphite.settings, django, whisper")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            boolean python = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            Process w = new ProcessBuilder("whisper-create", "--help").redirectErrorStream(true).start();
            w.getInputStream().readAllBytes();
            return python && w.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
