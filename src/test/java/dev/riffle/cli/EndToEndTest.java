package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.client.RiemannMessage;
import dev.riffle.config.Config;
import dev.riffle.ingest.Bridge;
import dev.riffle.kafka.EmbeddedKafka;
import dev.riffle.sink.GraphiteSink;
import dev.riffle.testing.LineListener;
import dev.riffle.topology.StreamsApp;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole thin path on a real in-process broker: Riemann protobuf over UDP and TCP in, Graphite lines out. */
@Tag("slow")
class EndToEndTest {
    @TempDir
    Path dir;

    /**
     * Settings for a pipeline whose points are checked exactly: free ingest ports, points to {@code carbon}, and
     * none of Riffle's own figures among them.
     */
    static Map<String, String> exactEnv(Path dir, LineListener carbon) {
        Map<String, String> env = new HashMap<>();
        env.put("RIFFLE_DATA_DIR", dir.toString());
        env.put("RIFFLE_RIEMANN_PORT", "0");
        env.put("RIFFLE_STATSD_PORT", "0");
        env.put("RIFFLE_JSON_PORT", "0");
        // the bridge's own counters would add riffle.bridge.* points to the exact lines expected
        env.put("RIFFLE_INGEST_SELF_METRICS_SECONDS", "0");
        env.put("RIFFLE_GRAPHITE", "127.0.0.1:" + carbon.port());
        env.put("RIFFLE_SINK_SELF_METRICS", "false"); // the listener should see the test's points only
        return env;
    }

    @Test
    void riemannEventsOverUdpAndTcpBecomeGraphiteLines() throws Exception {
        try (LineListener carbon = new LineListener();
             EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start()) {
            Map<String, String> env = exactEnv(dir, carbon);
            env.put("RIFFLE_PRINT_POINTS", "true");
            Config config = Config.load(null, env, Settings.ALL_KEYS);
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            Bridge bridge = new Bridge(config, kafka.bootstrapServers());
            try (Pipeline pipeline = new Pipeline(config.with(dev.riffle.config.CommonKeys.KAFKA_BOOTSTRAP,
                    kafka.bootstrapServers()))) {
                pipeline.connect(false);
                pipeline.start(b -> new GraphiteSink(config, b, new PrintStream(stdout, true)))
                        .start(b -> new StreamsApp(config, b, Map.of(StreamsConfig.STATE_DIR_CONFIG,
                                dir.resolve("streams").toString())))
                        .start(b -> bridge);

                // stamped now, as a client would: the window closes once the bridge's ticks pass its end + grace
                long now = System.currentTimeMillis();
                long window = now / 5000 * 5000;
                RiemannMessage tcp = new RiemannMessage();
                for (int i = 0; i < 10; i++) {
                    tcp.event(now * 1000, "box1", "foo", null, null, null, null, Map.of(), "production", "meter");
                }
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), bridge.riemannPort())) {
                    byte[] msg = tcp.toBytes();
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    out.writeInt(msg.length);
                    out.write(msg);
                    out.flush();
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    assertEquals(null, RiemannMessage.replyError(in.readNBytes(in.readInt())));
                }
                try (DatagramSocket udp = new DatagramSocket()) {
                    for (int i = 0; i < 5; i++) {
                        byte[] msg = new RiemannMessage().event(now * 1000, "box2", "bar", null, null,
                                2.0, null, Map.of(), "staging", "meter").toBytes();
                        udp.send(new DatagramPacket(msg, msg.length, InetAddress.getLoopbackAddress(),
                                bridge.riemannPort()));
                    }
                }

                // two hosts in six partitions: the fleet points need the tasks that saw no event to pass too
                List<String> expected = List.of(
                        "production.box1.foo.rate-per-second 2.0 " + window / 1000,
                        "staging.box2.bar.rate-per-second 2.0 " + window / 1000,
                        "production.all-hosts.foo.rate-per-second 2.0 " + window / 1000,
                        "staging.all-hosts.bar.rate-per-second 2.0 " + window / 1000);
                // riffle.* self-metric points come too: check that these are there
                List<String> lines = carbon.awaitLines(l -> l.containsAll(expected), Duration.ofSeconds(60));
                assertTrue(lines.containsAll(expected), lines.toString());
                assertTrue(stdout.toString().lines().toList().containsAll(expected), stdout.toString());
            }
        }
    }
}
