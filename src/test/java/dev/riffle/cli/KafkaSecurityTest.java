package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.client.RiemannMessage;
import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigException;
import dev.riffle.config.KafkaClients;
import dev.riffle.ingest.Bridge;
import dev.riffle.kafka.EmbeddedKafka;
import dev.riffle.sink.GraphiteSink;
import dev.riffle.topology.StreamsApp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Riffle against a Kafka that wants SASL: every client gets the pass-through settings; a wrong password stops. */
@Tag("slow")
class KafkaSecurityTest {
    static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"riffle\" password=\"%s\";";

    @TempDir
    Path dir;

    Map<String, String> env(EmbeddedKafka kafka, String password) {
        Map<String, String> env = new HashMap<>();
        env.put("RIFFLE_DATA_DIR", dir.resolve("data").toString());
        env.put("RIFFLE_KAFKA_BOOTSTRAP", kafka.saslBootstrapServers());
        env.put("RIFFLE_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
        env.put("RIFFLE_KAFKA_CLIENT_SASL_MECHANISM", "PLAIN");
        env.put("RIFFLE_KAFKA_CLIENT_SASL_JAAS_CONFIG", String.format(JAAS, password));
        env.put("RIFFLE_RIEMANN_PORT", "0");
        env.put("RIFFLE_STATSD_PORT", "0");
        env.put("RIFFLE_JSON_PORT", "0");
        env.put("RIFFLE_INGEST_SELF_METRICS_SECONDS", "0");
        env.put("RIFFLE_GRAPHITE", "none");
        env.put("RIFFLE_PRINT_POINTS", "true");
        env.put("RIFFLE_SINK_SELF_METRICS", "false");
        return env;
    }

    @Test
    void everyStageReachesASaslKafkaWithThePassedThroughSettings() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).withSaslPlain("riffle", "s3cret")
                .start()) {
            Config config = Config.load(null, env(kafka, "s3cret"), Settings.ALL_KEYS);
            assertEquals("SASL_PLAINTEXT", KafkaClients.settings(config).get("security.protocol"));
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            try (Pipeline pipeline = new Pipeline(config)) {
                pipeline.connect(false); // the admin: topics created over SASL
                Bridge bridge = new Bridge(config, config.get(CommonKeys.KAFKA_BOOTSTRAP));
                pipeline.start(b -> new GraphiteSink(config, b, new PrintStream(stdout, true)))
                        .start(b -> new StreamsApp(config, b, Map.of(StreamsConfig.STATE_DIR_CONFIG,
                                dir.resolve("streams").toString())))
                        .start(b -> bridge);
                long now = System.currentTimeMillis();
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), bridge.riemannPort())) {
                    RiemannMessage msg = new RiemannMessage();
                    for (int i = 0; i < 10; i++) {
                        msg.event(now * 1000, "box1", "foo", null, null, null, null, Map.of(), "production", "meter");
                    }
                    TimeEndToEndTest.sendTcp(s, msg);
                    TimeEndToEndTest.awaitOk(s); // the producer: Kafka acknowledged over SASL
                }
                String expected = "production.box1.foo.rate-per-second 2.0 " + now / 5000 * 5;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!stdout.toString().contains(expected) && System.nanoTime() < deadline) {
                    Thread.sleep(200); // Streams and the sink's consumer, over SASL
                }
                assertTrue(stdout.toString().contains(expected), stdout.toString());
                assertFalse(stdout.toString().contains("s3cret"));
            }
        }
    }

    @Test
    void aWrongPasswordIsOneClearLineAndExitOneNotARetryLoop() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).withSaslPlain("riffle", "s3cret")
                .start()) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "bridge"));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env(kafka, "wrong-password"));
            Path err = dir.resolve("err.txt");
            pb.redirectErrorStream(true).redirectOutput(err.toFile());
            long t0 = System.nanoTime();
            Process p = pb.start();
            boolean ended = p.waitFor(60, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            String out = Files.readString(err);
            assertTrue(ended, "riffle bridge stopped by itself:\n" + out);
            assertEquals(Main.CANNOT_START, p.exitValue(), out);
            assertTrue(out.contains("refused Riffle") && out.contains("Authentication failed"), out);
            assertFalse(out.contains("wrong-password"), "the secret is never printed:\n" + out);
            assertTrue(out.lines().filter(l -> l.startsWith("riffle:")).count() == 1, out);
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 30);
        }
    }

    @Test
    void settingsRiffleReliesOnCannotBePassedThrough() {
        Map<String, String> env = new HashMap<>();
        env.put("RIFFLE_KAFKA_CLIENT_ACKS", "1");
        Config config = Config.load(null, env, Settings.ALL_KEYS);
        ConfigException e = assertThrows(ConfigException.class, () -> KafkaClients.settings(config));
        assertTrue(e.getMessage().contains("'acks'"), e.getMessage());
        Config fromYaml = Config.defaults(Settings.ALL_KEYS).with(CommonKeys.KAFKA_CLIENT,
                Map.of("ssl.truststore.location", "/etc/kafka/truststore.jks"));
        assertEquals(Map.of("ssl.truststore.location", "/etc/kafka/truststore.jks"), KafkaClients.settings(fromYaml));
    }
}
