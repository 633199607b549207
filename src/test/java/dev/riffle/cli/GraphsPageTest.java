package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.ingest.Bridge;
import dev.riffle.sink.GraphiteSink;
import dev.riffle.topology.StreamsApp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The graphs page in a real headless browser (Debian's chromium and chromium-driver, driven by Selenium): the
 * pipeline of {@code riffle run} (in-process broker, bridge, topology, sink with the recent store, http stage) fed
 * by {@code riffle demo}. The tree lists the demo's hosts, all-hosts first; a chart of
 * {@code production.all-hosts.page-views.rate-per-second} holds exactly the values the sink printed; a new window
 * appears on it without a reload, soon after the sink wrote it; occurrences (the demo's deploys) reach the markers.
 * The screenshot is kept as {@code target/graphs-page.png}. Skips only when chromium or chromedriver is missing
 * ({@code scripts/test} installs both).
 */
@Tag("slow")
class GraphsPageTest {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final String SERIES = "production.all-hosts.page-views.rate-per-second";

    @TempDir
    Path dir;

    @Test
    void thePageShowsTheTreeAndLiveChartsOfTheDemo() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER)),
                "skipped: no headless browser (" + CHROMIUM + " and " + CHROMEDRIVER
                        + "; apt-get install chromium chromium-driver)");
        int httpPort;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            httpPort = free.getLocalPort();
        }
        Map<String, String> env = new HashMap<>();
        env.put("RIFFLE_DATA_DIR", dir.toString());
        env.put("RIFFLE_KAFKA_PORT", "0");
        env.put("RIFFLE_RIEMANN_PORT", "0");
        env.put("RIFFLE_STATSD_PORT", "0");
        env.put("RIFFLE_JSON_PORT", "0");
        env.put("RIFFLE_GRAPHITE", "none");
        env.put("RIFFLE_PRINT_POINTS", "true");
        env.put("RIFFLE_HTTP_PORT", Integer.toString(httpPort));
        Config config = Config.load(null, env, Settings.ALL_KEYS);
        Lines stdout = new Lines();
        ChromeDriver browser = null;
        Thread demo = null;
        try (Pipeline pipeline = new Pipeline(config)) {
            pipeline.connect(true);
            Graphs graphs = new Graphs(config, true);
            Bridge[] bridge = new Bridge[1];
            pipeline.start(b -> new GraphiteSink(config, b, new PrintStream(stdout, true), graphs.targets()))
                    .start(b -> new StreamsApp(config, b, Map.of(StreamsConfig.STATE_DIR_CONFIG,
                            dir.resolve("streams").toString())))
                    .start(b -> bridge[0] = new Bridge(config, b));
            graphs.start(pipeline);
            int riemann = bridge[0].riemannPort();
            AtomicInteger demoExit = new AtomicInteger(-1);
            demo = new Thread(() -> demoExit.set(Main.execute("demo", "--duration", "45", "--seed", "11", "--to",
                    "127.0.0.1:" + riemann)), "demo");
            demo.setDaemon(true);
            demo.start();

            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM);
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1400,900", "--hide-scrollbars");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(Path.of(CHROMEDRIVER).toFile()).usingAnyFreePort().build();
            browser = new ChromeDriver(service, options);
            JavascriptExecutor js = browser;
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(40), Duration.ofMillis(100));
            browser.get("http://127.0.0.1:" + httpPort + "/#chart=" + SERIES);
            js.executeScript("window.notReloaded = true;");

            // the tree: environment -> host, all-hosts first
            WebElement production = wait.until(d -> d.findElements(By.cssSelector("#tree > li[data-path='production']"))
                    .stream().findFirst().orElse(null));
            production.findElement(By.tagName("span")).click();
            List<String> hosts = wait.until(d -> {
                List<String> h = d.findElements(By.cssSelector("li[data-path='production'] > ul > li")).stream()
                        .map(e -> e.getAttribute("data-path")).toList();
                return h.containsAll(List.of("production.web1", "production.web2", "production.web3",
                        "production.db1", "production.all-hosts")) ? h : null;
            });
            assertEquals("production.all-hosts", hosts.get(0), hosts.toString());

            // the chart holds the values the sink wrote
            wait.until(d -> chartValues(js).size() >= 2);
            Map<Long, Double> drawn = chartValues(js);
            Map<Long, Double> printed = stdout.points(SERIES);
            for (Map.Entry<Long, Double> p : drawn.entrySet()) {
                assertEquals(printed.get(p.getKey()), p.getValue(), "window " + p.getKey() + ": drawn " + drawn
                        + ", printed " + printed);
            }
            assertTrue(js.executeScript("return riffle.charts[0].series.join(',')").toString().contains(SERIES));
            assertNotNull(browser.findElement(By.cssSelector(".chart canvas")));

            // a new window: printed by the sink, then on the chart without a reload, within about a second
            long newest = drawn.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
            long printedAt = stdout.awaitPoint(SERIES, newest + 5, Duration.ofSeconds(20));
            wait.until(d -> chartValues(js).containsKey(newest + 5));
            long shownAfterMillis = (System.nanoTime() - printedAt) / 1_000_000;
            assertEquals(Boolean.TRUE, js.executeScript("return window.notReloaded === true;"), "the page reloaded");
            assertEquals(stdout.points(SERIES).get(newest + 5), chartValues(js).get(newest + 5));
            assertTrue(shownAfterMillis < 2_500, "a new window took " + shownAfterMillis + " ms to show");
            System.out.println("graphs page: a new window was on the chart " + shownAfterMillis
                    + " ms after the sink printed it");

            // occurrences: the demo's deploys reach the markers; health on the front page
            wait.until(d -> ((Number) js.executeScript("return riffle.occurrences.filter(function (o) { "
                    + "return /deploys\\.occurrences$/.test(o.path) && o.times.length > 0; }).length;")).intValue()
                    > 0);
            wait.until(d -> d.findElement(By.cssSelector("#h-state .value")).getText().equals("running"));
            wait.until(d -> !d.findElement(By.cssSelector("#h-events .value")).getText().equals("…"));

            Path shot = Path.of("target", "graphs-page.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } finally {
            if (browser != null) {
                browser.quit();
            }
            if (demo != null) {
                demo.interrupt(); // the demo stops at its next tick
                demo.join(10_000);
            }
        }
    }

    /** The first chart's non-null values by window start. */
    @SuppressWarnings("unchecked")
    private static Map<Long, Double> chartValues(JavascriptExecutor js) {
        Object data = js.executeScript("var c = riffle.charts[0]; return c && c.data ? c.data : null;");
        Map<Long, Double> out = new TreeMap<>();
        if (data == null) {
            return out;
        }
        List<Object> d = (List<Object>) data;
        if (d.size() < 2) {
            return out;
        }
        List<Object> xs = (List<Object>) d.get(0);
        List<Object> ys = (List<Object>) d.get(1);
        for (int i = 0; i < xs.size(); i++) {
            if (ys.get(i) != null) {
                out.put(((Number) xs.get(i)).longValue(), ((Number) ys.get(i)).doubleValue());
            }
        }
        return out;
    }

    /** What the sink printed, line by line, with the time each line arrived. */
    private static final class Lines extends ByteArrayOutputStream {
        private final Map<String, Long> arrived = new HashMap<>();
        private int scanned;

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, len);
            String all = toString(StandardCharsets.US_ASCII);
            int end = all.lastIndexOf('\n');
            if (end >= scanned) {
                long now = System.nanoTime();
                all.substring(scanned, end + 1).lines().forEach(l -> arrived.putIfAbsent(l, now));
                scanned = end + 1;
            }
        }

        synchronized Map<Long, Double> points(String path) {
            Map<Long, Double> out = new TreeMap<>();
            for (String line : arrived.keySet()) {
                String[] f = line.split(" ");
                if (f.length == 3 && f[0].equals(path)) {
                    out.put(Long.parseLong(f[2]), Double.parseDouble(f[1]));
                }
            }
            return out;
        }

        /** Waits for the point of the window starting at {@code time}; returns when it was printed (nanoTime). */
        long awaitPoint(String path, long time, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                synchronized (this) {
                    for (Map.Entry<String, Long> e : arrived.entrySet()) {
                        if (e.getKey().startsWith(path + " ") && e.getKey().endsWith(" " + time)) {
                            return e.getValue();
                        }
                    }
                }
                Thread.sleep(20);
            }
            throw new AssertionError("the sink printed no point of " + path + " at " + time + " within " + timeout);
        }
    }
}
