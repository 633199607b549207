package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.kafka.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What compose does at {@code docker compose up --scale streams=3}: a bridge, three {@code riffle streams} and a
 * sink, each its own JVM, started at the same instant against a broker that has none of Riffle's topics yet, so
 * that all five list and create the topics at once. Every process must come up without an error, an exit or a
 * restart, answer its health probe ({@code health_port}) with 200, each topic must be created by exactly one of
 * them, and each must stop cleanly on SIGTERM.
 */
@Tag("slow")
class ConcurrentStartTest {
    private static final Logger log = LoggerFactory.getLogger(ConcurrentStartTest.class);
    private static final Pattern CREATED = Pattern.compile("created topics \\[([^\\]]*)\\]");

    @TempDir
    Path dir;

    @Test
    void aBridgeThreeStreamsAndASinkStartTogetherOnABrokerWithoutTopics() throws Exception {
        Map<String, Process> processes = new LinkedHashMap<>();
        Map<String, Integer> healthPorts = new LinkedHashMap<>();
        try (EmbeddedKafka broker = new EmbeddedKafka(dir.resolve("broker"), 0).start()) {
            Map<String, String> common = new HashMap<>();
            common.put("RIFFLE_KAFKA_BOOTSTRAP", broker.bootstrapServers());
            common.put("RIFFLE_STATUS_INTERVAL_SECONDS", "0");
            Map<String, List<String>> commands = new LinkedHashMap<>();
            commands.put("bridge", List.of("bridge"));
            for (int i = 1; i <= 3; i++) {
                commands.put("streams" + i, List.of("streams"));
            }
            commands.put("sink", List.of("sink"));
            List<ProcessBuilder> builders = new ArrayList<>();
            for (Map.Entry<String, List<String>> c : commands.entrySet()) {
                Map<String, String> env = new HashMap<>(common);
                env.put("RIFFLE_DATA_DIR", dir.resolve(c.getKey()).toString());
                int health = ScaleOutTest.freePort();
                healthPorts.put(c.getKey(), health);
                env.put("RIFFLE_HEALTH_PORT", Integer.toString(health));
                if (c.getKey().equals("bridge")) {
                    env.put("RIFFLE_RIEMANN_PORT", Integer.toString(ScaleOutTest.freePort()));
                    env.put("RIFFLE_STATSD_PORT", "0");
                    env.put("RIFFLE_JSON_PORT", "0");
                }
                if (c.getKey().equals("sink")) {
                    env.put("RIFFLE_GRAPHITE", "none");
                }
                builders.add(javaProcess(env, c.getKey(), c.getValue()));
            }
            long t0 = System.nanoTime();
            int i = 0;
            for (String name : commands.keySet()) { // all five within milliseconds: their JVMs start together
                processes.put(name, builders.get(i++).start());
            }

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            Map<String, Long> healthyAfterMs = new LinkedHashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240); // 2 shared cores, five JVMs
            while (healthyAfterMs.size() < processes.size() && System.nanoTime() < deadline) {
                for (Map.Entry<String, Process> p : processes.entrySet()) {
                    String name = p.getKey();
                    assertTrue(p.getValue().isAlive(), name + " exited with " + exitCode(p.getValue()) + ":\n"
                            + logOf(name));
                    if (!healthyAfterMs.containsKey(name) && probe(http, healthPorts.get(name)) == 200) {
                        healthyAfterMs.put(name, (System.nanoTime() - t0) / 1_000_000);
                    }
                }
                Thread.sleep(250);
            }
            assertEquals(processes.keySet(), healthyAfterMs.keySet(), "healthy: " + healthyAfterMs);
            log.info("five processes started together, each healthy after (ms): {}", healthyAfterMs);
            Thread.sleep(3000); // and they stay up: no late failure after the first probe
            Map<String, Integer> creators = new HashMap<>();
            for (Map.Entry<String, Process> p : processes.entrySet()) {
                String name = p.getKey();
                assertTrue(p.getValue().isAlive(), name + " exited:\n" + logOf(name));
                assertEquals(200, probe(http, healthPorts.get(name)), name + " still healthy");
                String text = logOf(name);
                assertFalse(text.contains("[ERROR]"), name + " logged an error:\n" + text);
                assertFalse(text.contains("Exception in thread") || text.contains("\tat "),
                        name + " printed a stack trace:\n" + text);
                assertFalse(text.contains("cannot create Riffle's topics"), name + ":\n" + text);
                assertTrue(text.contains("riffle is running"), name + " said it runs:\n" + text);
                Matcher m = CREATED.matcher(text);
                while (m.find()) {
                    for (String topic : m.group(1).split(",\\s*")) {
                        creators.merge(topic, 1, Integer::sum);
                    }
                }
            }
            assertEquals(Map.of("riffle-events", 1, "riffle-points", 1), creators,
                    "each topic created by exactly one process");
            long raced = processes.keySet().stream().filter(n -> logOf(n).contains("created by another process"))
                    .count();
            log.info("topic creators: {}; processes that lost the create race and went on: {}", creators, raced);

            for (Map.Entry<String, Process> p : processes.entrySet()) {
                p.getValue().destroy(); // SIGTERM, as docker compose stop
            }
            for (Map.Entry<String, Process> p : processes.entrySet()) {
                assertTrue(p.getValue().waitFor(60, TimeUnit.SECONDS), p.getKey() + " did not stop on SIGTERM");
                String text = logOf(p.getKey());
                assertFalse(text.contains("[ERROR]"), p.getKey() + " logged an error while stopping:\n" + text);
            }
        } finally {
            processes.values().forEach(Process::destroyForcibly);
        }
    }

    private ProcessBuilder javaProcess(Map<String, String> env, String name, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx320m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("RIFFLE_"));
        pb.environment().putAll(env);
        return pb.redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
    }

    private static int probe(HttpClient http, int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1; // not listening yet
        }
    }

    private String logOf(String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }

    private static String exitCode(Process p) {
        return p.isAlive() ? "(alive)" : Integer.toString(p.exitValue());
    }
}
