package dev.riffle.bench.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code riffle run} as a user starts it: {@code scripts/riffle run} (so {@code java $RIFFLE_JAVA_OPTS -jar
 * target/riffle.jar run}) in its own JVM, with its data dir in a temp folder, the in-process broker on a free port,
 * free loopback ports for Riemann, statsd and JSON, Graphite pointing where the benchmark says, and a status line
 * every second. Its stdout and stderr go to a log file; the status lines are parsed as they come.
 */
final class RiffleProcess implements AutoCloseable {
    /** The figures of one status line (cumulative counters; -1 = not in the line). */
    record Status(long atNanos, long bridgeIn, long toKafka, long refused, long dropped, long streamsEvents,
                  long pointsOut, long late, long pointsWritten, long alertPoints, long alertBehind, long alertLagMs,
                  String line) {
    }

    private static final Pattern READY = Pattern.compile("riffle is running");
    private static final Pattern KAFKA = Pattern.compile("in-process Kafka ready on (\\S+)");

    private final Process process;
    private final Path gcLog;
    private final int riemannPort;
    private final int statsdPort;
    private final Path logFile;
    private volatile Status status;
    /** the largest alert lag in the status lines since {@link #takeAlertLagPeak} (-1: no alert stage figure) */
    private long alertLagPeak = -1;
    private volatile boolean ready;
    private volatile boolean closing;
    private long linesRead;
    private volatile long readyAtLine;
    private volatile String kafkaBootstrap = "";
    private final Object lock = new Object();

    RiffleProcess(Path script, Path dir, String graphite, String javaOpts, Map<String, String> extraEnv)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        this.gcLog = dir.resolve("gc.log");
        this.logFile = dir.resolve("riffle.log");
        this.riemannPort = freePort();
        this.statsdPort = freeUdpPort();
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "run");
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("RIFFLE_") && !k.equals("RIFFLE_JAR"));
        env.put("RIFFLE_JAVA_OPTS", javaOpts + " -Xlog:gc:file=" + gcLog);
        env.put("RIFFLE_DATA_DIR", dir.resolve("data").toString());
        env.put("RIFFLE_BIND", "127.0.0.1");
        env.put("RIFFLE_KAFKA_PORT", "0");
        env.put("RIFFLE_RIEMANN_PORT", Integer.toString(riemannPort));
        env.put("RIFFLE_STATSD_PORT", Integer.toString(statsdPort));
        env.put("RIFFLE_JSON_PORT", Integer.toString(freePort()));
        env.put("RIFFLE_HTTP_PORT", Integer.toString(freePort())); // the graphs page on, as by default
        env.put("RIFFLE_GRAPHITE", graphite);
        env.put("RIFFLE_STATUS_INTERVAL_SECONDS", "1");
        env.putAll(extraEnv);
        pb.redirectErrorStream(true);
        this.process = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "riffle-reaper"));
        Thread reader = new Thread(() -> pump(process.getInputStream()), "riffle-output");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        synchronized (lock) {
            while (!ready && process.isAlive() && System.nanoTime() < deadline) {
                lock.wait(200);
            }
        }
        if (!ready) {
            process.destroyForcibly();
            throw new IllegalStateException("riffle run did not start within 180 s (exit "
                    + (process.isAlive() ? "-" : process.exitValue()) + "); see " + logFile);
        }
    }

    private void pump(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
             PrintWriter log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true)) {
            String line;
            while ((line = r.readLine()) != null) {
                log.println(line);
                linesRead++;
                Matcher k = KAFKA.matcher(line);
                if (k.find()) {
                    kafkaBootstrap = k.group(1);
                }
                if (line.contains("streams:") && line.contains("bridge:")) {
                    Status s = parse(line, System.nanoTime());
                    synchronized (lock) {
                        status = s;
                        alertLagPeak = Math.max(alertLagPeak, s.alertLagMs());
                        lock.notifyAll();
                    }
                } else if (READY.matcher(line).find()) {
                    synchronized (lock) {
                        readyAtLine = linesRead;
                        ready = true;
                        lock.notifyAll();
                    }
                }
            }
        } catch (IOException e) {
            if (!closing) {
                System.err.println("bench-e2e: reading riffle's output failed: " + e);
            }
        }
    }

    /** Reads a status line leniently: each figure by name within its stage's part; -1 when absent. */
    static Status parse(String line, long atNanos) {
        String sink = part(line, "sink:");
        String streams = part(line, "streams:");
        String bridge = part(line, "bridge:");
        String alerts = part(line, "alerts:");
        return new Status(atNanos, figure(bridge, "events in (\\d+)"), figure(bridge, "to kafka (\\d+)"),
                figure(bridge, "refused (\\d+)"), figure(bridge, "dropped (\\d+)"),
                figure(streams, "\\bevents (\\d+)"), figure(streams, "points out (\\d+)"),
                figure(streams, "\\blate (\\d+)"), figure(sink, "points written (\\d+)"),
                figure(alerts, "\\bpoints (\\d+)"), figure(alerts, "s behind (\\d+)"), figure(alerts, "lag (\\d+) ms"),
                line);
    }

    /** The largest alert lag (ms) of the status lines since the last call, then starts over; -1 if none said. */
    long takeAlertLagPeak() {
        synchronized (lock) {
            long peak = alertLagPeak;
            alertLagPeak = -1;
            return peak;
        }
    }

    private static String part(String line, String stage) {
        int i = line.indexOf(stage);
        if (i < 0) {
            return "";
        }
        int end = line.indexOf(" | ", i);
        return line.substring(i, end < 0 ? line.length() : end);
    }

    private static long figure(String part, String regex) {
        Matcher m = Pattern.compile(regex).matcher(part);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The first status line printed after {@code nanos}, waiting at most {@code timeoutMillis}; else the latest. */
    Status statusAfter(long nanos, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (lock) {
            while ((status == null || status.atNanos() <= nanos) && System.nanoTime() < deadline) {
                lock.wait(100);
            }
            if (status == null) {
                throw new IllegalStateException("riffle printed no status line (RIFFLE_STATUS_INTERVAL_SECONDS=1); "
                        + "see " + logFile);
            }
            return status;
        }
    }

    InetSocketAddress riemann() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), riemannPort);
    }

    InetSocketAddress statsd() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), statsdPort);
    }

    long pid() {
        return process.pid();
    }

    Path gcLog() {
        return gcLog;
    }

    String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    boolean alive() {
        return process.isAlive();
    }

    Path logFile() {
        return logFile;
    }

    /** Lines of the log after the start that say WARN or ERROR, at most {@code max}. */
    List<String> warnings(int max) {
        List<String> out = new ArrayList<>();
        try (var lines = Files.lines(logFile, StandardCharsets.UTF_8)) {
            lines.skip(readyAtLine).filter(l -> l.contains("[WARN]") || l.contains("[ERROR]") || l.contains(" WARN ")
                    || l.contains(" ERROR ")).limit(max).forEach(out::add);
        } catch (IOException | UncheckedIOException e) {
            // no log
        }
        return out;
    }

    /** SIGTERM, as Ctrl-C: riffle stops in order; killed if it takes longer than 60 s. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A port free for both TCP and UDP on loopback (Riemann listens on both). */
    static int freePort() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        port))) {
                    return port;
                } catch (IOException udpTaken) {
                    // try another
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no port free for TCP and UDP on loopback");
    }

    static int freeUdpPort() {
        try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return d.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
