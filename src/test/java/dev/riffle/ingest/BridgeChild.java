package dev.riffle.ingest;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigKey;
import dev.riffle.kafka.EmbeddedKafka;
import dev.riffle.kafka.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A broker and a bridge in a JVM of their own, as {@code riffle run} has them, for tests that kill it or squeeze
 * its heap. Arguments: the data dir, then {@code RIFFLE_...=value} settings. Prints
 * {@code READY kafka=<bootstrap> riemann=<port> json=<port>} once listening, a {@code STAT} line every 100 ms
 * (memory budget held and peak, heap used and peak, open connections, counters), and {@code STOPPED} when a
 * SIGTERM closed it all in order.
 */
public final class BridgeChild {
    private BridgeChild() {
    }

    /** The command line that starts a child with the given heap and settings. */
    static ProcessBuilder command(String heap, Path dir, Map<String, String> settings) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), BridgeChild.class.getName(), dir.toString()));
        settings.forEach((k, v) -> cmd.add(k + "=" + v));
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }

    /** The child's output, read on a thread of its own, with what the test needs picked out. */
    static final class Output {
        final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);
        volatile Map<String, String> ready1 = Map.of();
        volatile Map<String, Long> stat = Map.of();
        final Map<String, Long> peaks = new java.util.concurrent.ConcurrentHashMap<>();

        Output(Process p) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.startsWith("READY ")) {
                            ready1 = fields(line);
                            ready.countDown();
                        } else if (line.startsWith("STAT ") && line.endsWith("END")) {
                            Map<String, Long> s = new HashMap<>();
                            fields(line).forEach((k, v) -> s.put(k, Long.parseLong(v)));
                            stat = s;
                            s.forEach((k, v) -> peaks.merge(k, v, Math::max));
                        } else {
                            lines.add(line);
                        }
                    }
                } catch (IOException gone) {
                    // the child is gone
                } finally {
                    ended.countDown();
                }
            }, "child-output");
            t.setDaemon(true);
            t.start();
        }

        private static Map<String, String> fields(String line) {
            Map<String, String> out = new HashMap<>();
            for (String part : line.substring(line.indexOf(' ') + 1).split(" ")) {
                int eq = part.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                out.put(part.substring(0, eq), part.substring(eq + 1));
            }
            return out;
        }

        void awaitReady(Duration timeout) throws InterruptedException {
            if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("child not ready: " + lines);
            }
        }

        /** Waits until the child's output ended (it exited), so that every line of it is in {@link #lines}. */
        void awaitEnd(Duration timeout) throws InterruptedException {
            ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        long stat(String name) {
            return stat.getOrDefault(name, -1L);
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Map<String, String> env = new HashMap<>(Map.of("RIFFLE_DATA_DIR", dir.toString(), "RIFFLE_RIEMANN_PORT", "0",
                "RIFFLE_STATSD_PORT", "0", "RIFFLE_JSON_PORT", "0", "RIFFLE_INGEST_SELF_METRICS_SECONDS", "0"));
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            env.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        List<ConfigKey<?>> keys = new ArrayList<>(CommonKeys.ALL);
        keys.addAll(IngestKeys.ALL);
        Config config = Config.load(null, env, keys);
        EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
        Topics.ensure(kafka.bootstrapServers(), config, Duration.ofSeconds(60));
        Bridge bridge = new Bridge(config, kafka.bootstrapServers());
        bridge.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("STOPPING");
            System.out.flush();
            bridge.close();
            kafka.close();
            System.out.println("STOPPED");
            System.out.flush();
            stopped.countDown();
        }));
        System.out.println("READY kafka=" + kafka.bootstrapServers() + " riemann=" + bridge.riemannPort() + " json="
                + bridge.jsonPort());
        System.out.flush();
        MemoryMXBean heap = ManagementFactory.getMemoryMXBean();
        IngestCounters c = bridge.counters();
        while (!stopped.await(100, TimeUnit.MILLISECONDS)) {
            System.out.println("STAT held=" + bridge.memoryHeld() + " peak=" + bridge.memoryPeak() + " heap="
                    + heap.getHeapMemoryUsage().getUsed() + " open=" + bridge.openConnections()
                    + " received=" + c.received() + " published=" + c.published()
                    + " idle=" + c.count(IngestCounters.Reason.IDLE_TIMEOUT)
                    + " slow=" + c.count(IngestCounters.Reason.TOO_SLOW)
                    + " limit=" + c.count(IngestCounters.Reason.CONNECTION_LIMIT)
                    + " memoryfull=" + c.count(IngestCounters.Reason.MEMORY_FULL)
                    + " dropped=" + c.total(IngestCounters.Group.DROPPED) + " END");
            System.out.flush();
        }
    }
}
