package dev.riffle.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A private Debian carbon-cache ({@code /usr/bin/carbon-cache}, package graphite-carbon) for tests: its own
 * carbon.conf and storage under a temp folder, a plaintext receiver on 127.0.0.1 and a fixed free port (so it can
 * be stopped and started again at the same address), the pickle receiver off, creates and updates unthrottled,
 * retentions 5s:1d,1m:7d,10m:5y. What landed is read back with {@code whisper-fetch} (package python3-whisper).
 */
public final class CarbonServer implements AutoCloseable {
    public static final String CARBON = "/usr/bin/carbon-cache";
    public static final String WHISPER_FETCH = "/usr/bin/whisper-fetch";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final int port;
    private Process process;
    private boolean hooked;

    /** A carbon for a fresh free port. */
    public CarbonServer(Path dir) throws IOException {
        this(dir, freePort());
    }

    /** A carbon that will listen on {@code port} (e.g. where a fake endpoint listened before). */
    public CarbonServer(Path dir, int port) throws IOException {
        if (!Files.isExecutable(Path.of(CARBON)) || !Files.isExecutable(Path.of(WHISPER_FETCH))) {
            throw new IllegalStateException(CARBON + " and " + WHISPER_FETCH
                    + " are needed: apt-get install graphite-carbon python3-whisper (.ci/run does)");
        }
        this.dir = dir.toAbsolutePath();
        this.port = port;
        Path storage = this.dir.resolve("storage");
        Files.createDirectories(storage.resolve("whisper"));
        Files.writeString(this.dir.resolve("carbon.conf"), String.join("\n",
                "[cache]",
                "STORAGE_DIR = " + storage + "/",
                "LOCAL_DATA_DIR = " + storage.resolve("whisper") + "/",
                "WHITELISTS_DIR = " + storage.resolve("lists") + "/",
                "LOG_DIR = " + storage.resolve("log") + "/",
                "PID_DIR = " + storage + "/",
                "DATABASE = whisper",
                "ENABLE_TAGS = False",
                "MAX_CACHE_SIZE = inf",
                "MAX_UPDATES_PER_SECOND = inf",
                "MAX_CREATES_PER_MINUTE = inf",
                "LINE_RECEIVER_INTERFACE = 127.0.0.1",
                "LINE_RECEIVER_PORT = " + port,
                "ENABLE_UDP_LISTENER = False",
                "PICKLE_RECEIVER_INTERFACE = 127.0.0.1",
                "PICKLE_RECEIVER_PORT = 0",
                "CACHE_QUERY_INTERFACE = 127.0.0.1",
                "CACHE_QUERY_PORT = 0",
                "WHISPER_SPARSE_CREATE = True",
                "LOG_LISTENER_CONN_SUCCESS = False",
                ""), StandardCharsets.UTF_8);
        Files.writeString(this.dir.resolve("storage-schemas.conf"),
                "[riffle]\npattern = .*\nretentions = 5s:1d,1m:7d,10m:5y\n", StandardCharsets.UTF_8);
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "127.0.0.1:" + port;
    }

    /** Starts carbon-cache in the foreground and waits until its plaintext port accepts connections. */
    public synchronized CarbonServer start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return this;
        }
        process = new ProcessBuilder(CARBON, "--config=" + dir.resolve("carbon.conf"), "--debug", "start")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("carbon.out").toFile()))
                .start();
        if (!hooked) { // a test JVM that dies must not leave a carbon-cache behind
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                Process p = this.process;
                if (p != null) {
                    p.destroyForcibly();
                }
            }, "carbon-cache-reaper"));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("carbon-cache exited with " + process.exitValue() + ": " + log());
            }
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return this;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        stop();
        throw new IllegalStateException("carbon-cache did not listen on " + port + " within 30 s: " + log());
    }

    /** Stops carbon as an operator would (SIGTERM, so it writes its cache), killing it if it does not stop. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** carbon-cache's own output so far, for failure messages. */
    public String log() {
        try {
            Path out = dir.resolve("carbon.out");
            return Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read carbon's log: " + e + ")";
        }
    }

    /** The whisper file of a Graphite path. */
    public Path whisperFile(String path) {
        return dir.resolve("storage").resolve("whisper").resolve(path.replace('.', '/') + ".wsp");
    }

    /** Every whisper file carbon created, as Graphite paths, sorted. */
    public List<String> paths() throws IOException {
        Path root = dir.resolve("storage").resolve("whisper");
        List<String> out = new ArrayList<>();
        try (var files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".wsp")).forEach(f -> {
                String rel = root.relativize(f).toString();
                out.add(rel.substring(0, rel.length() - 4).replace('/', '.'));
            });
        }
        out.sort(null);
        return out;
    }

    /**
     * The stored points of a path between two times (seconds, from exclusive as whisper counts), read with
     * {@code whisper-fetch --json}; empty slots left out. Empty when the file does not exist yet.
     */
    public Map<Long, Double> fetch(String path, long from, long until) throws IOException, InterruptedException {
        Map<Long, Double> points = new TreeMap<>();
        Path file = whisperFile(path);
        if (!Files.exists(file)) {
            return points;
        }
        Process p = new ProcessBuilder(WHISPER_FETCH, "--json", "--from=" + from, "--until=" + until,
                file.toString()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("whisper-fetch " + file + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return points(JSON.readTree(out));
    }

    /** whisper-fetch's JSON as points: empty slots left out. */
    private static Map<Long, Double> points(JsonNode json) {
        Map<Long, Double> points = new TreeMap<>();
        long time = json.get("start").asLong();
        long step = json.get("step").asLong();
        for (JsonNode v : json.get("values")) {
            if (!v.isNull()) {
                points.put(time, v.asDouble());
            }
            time += step;
        }
        return points;
    }

    /** What {@link #fetchAll} runs: whisper.fetch per line "file TAB from TAB until", printed as whisper-fetch does. */
    private static final String FETCH_ALL = String.join("\n",
            "import sys, whisper",
            "for line in sys.stdin:",
            "    path, since, until = line.rstrip('\\n').split('\\t')",
            "    data = whisper.fetch(path, int(since), int(until))",
            "    if not data:",
            "        sys.exit('No data in selected timerange: ' + path)",
            "    (start, end, step), values = data",
            "    print('{\"start\": %d, \"end\": %d, \"step\": %d, \"values\": %s}'"
                    + " % (start, end, step, str(values).replace('None', 'null')))",
            "");

    /**
     * {@link #fetch} for many paths at once: path -> {from, until} gives path -> stored points, read by one python
     * process with the function whisper-fetch calls ({@code whisper.fetch}) and printed as it prints them, so that
     * reading back dozens of paths does not start dozens of interpreters (about 70 ms each).
     */
    public Map<String, Map<Long, Double>> fetchAll(Map<String, long[]> ranges) throws IOException,
            InterruptedException {
        Map<String, Map<Long, Double>> out = new TreeMap<>();
        StringBuilder in = new StringBuilder();
        List<String> asked = new ArrayList<>();
        for (Map.Entry<String, long[]> e : ranges.entrySet()) {
            Path file = whisperFile(e.getKey());
            out.put(e.getKey(), new TreeMap<>());
            if (Files.exists(file)) {
                asked.add(e.getKey());
                in.append(file).append('\t').append(e.getValue()[0]).append('\t').append(e.getValue()[1])
                        .append('\n');
            }
        }
        if (asked.isEmpty()) {
            return out;
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", FETCH_ALL).redirectErrorStream(true).start();
        try (var stdin = p.getOutputStream()) {
            stdin.write(in.toString().getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("whisper.fetch failed: " + new String(bytes, StandardCharsets.UTF_8));
        }
        List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
        if (lines.size() != asked.size()) {
            throw new IOException("whisper.fetch gave " + lines.size() + " answers for " + asked.size() + " paths: "
                    + lines);
        }
        for (int i = 0; i < lines.size(); i++) {
            out.put(asked.get(i), points(JSON.readTree(lines.get(i))));
        }
        return out;
    }

    /**
     * Polls {@link #fetchAll} until every path has at least its count of points or the timeout passes; returns the
     * last answer.
     */
    public Map<String, Map<Long, Double>> awaitAllPoints(Map<String, long[]> ranges, Map<String, Integer> counts,
            Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Map<Long, Double>> points = fetchAll(ranges);
        while (!enough(points, counts) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            points = fetchAll(ranges);
        }
        return points;
    }

    private static boolean enough(Map<String, Map<Long, Double>> points, Map<String, Integer> counts) {
        for (Map.Entry<String, Integer> c : counts.entrySet()) {
            Map<Long, Double> p = points.get(c.getKey());
            if ((p == null ? 0 : p.size()) < c.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Polls {@link #fetch} until it returns at least {@code count} points or the timeout passes. */
    public Map<Long, Double> awaitPoints(String path, long from, long until, int count, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Long, Double> points = fetch(path, from, until);
        while (points.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(250);
            points = fetch(path, from, until);
        }
        return points;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
