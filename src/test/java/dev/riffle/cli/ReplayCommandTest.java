package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.client.RiemannMessage;
import dev.riffle.config.Config;
import dev.riffle.ingest.Bridge;
import dev.riffle.testing.WithKafka;
import dev.riffle.topology.StreamsApp;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code riffle replay} as a user runs it (its own JVM), against a live pipeline on a real broker. */
@Tag("slow")
class ReplayCommandTest extends WithKafka {

    record Result(int exit, String out, String err) {
    }

    Result riffle(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("riffle " + String.join(" ", args) + " did not end by itself:\n"
                    + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static Map<String, Double> points(String out) {
        Map<String, Double> m = new TreeMap<>();
        out.lines().map(l -> l.split(" ")).filter(p -> p.length == 3 && !p[0].startsWith("riffle.")
                && p[2].matches("\\d+")).forEach(p -> m.put(p[0] + " " + p[2], Double.parseDouble(p[1])));
        return m;
    }

    @Test
    void aReplayOfARangeWritesTheLivePointsAgainAndLeavesNothingBehind() throws Exception {
        String id = "t" + UUID.randomUUID().toString().substring(0, 8);
        TimeEndToEndTest envs = new TimeEndToEndTest();
        Map<String, String> env = envs.env(id);
        Config config = Config.load(null, env, Settings.ALL_KEYS);
        long start;
        long end;
        Map<String, Double> live;
        try (Pipeline pipeline = new Pipeline(config);
             TimeEndToEndTest.Points livePoints = new TimeEndToEndTest.Points(id + "-points")) {
            pipeline.connect(false);
            StreamsApp app = new StreamsApp(config, kafka.bootstrapServers(),
                    Map.of(StreamsConfig.STATE_DIR_CONFIG, dir.resolve(id + "-live").toString()));
            Bridge bridge = new Bridge(config, kafka.bootstrapServers());
            pipeline.start(b -> app).start(b -> bridge);
            Random r = new Random(3);
            start = System.currentTimeMillis();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), bridge.riemannPort())) {
                while (System.currentTimeMillis() < start + 15_000) {
                    long now = System.currentTimeMillis();
                    RiemannMessage msg = new RiemannMessage();
                    for (int i = 0; i < 10; i++) {
                        String host = "h" + r.nextInt(8);
                        msg.event(now * 1000, host, "req", null, null, 1.0 + r.nextInt(3), null, Map.of(),
                                "production", "meter");
                        msg.event(now * 1000, host, "lat", null, null, r.nextDouble() * 50, null, Map.of(),
                                "production", "timer");
                    }
                    TimeEndToEndTest.sendTcp(s, msg);
                    TimeEndToEndTest.awaitOk(s);
                    Thread.sleep(50);
                }
            }
            end = System.currentTimeMillis();
            long from = (start / 5_000 + 1) * 5_000; // from the second window of the load...
            long to = (end / 5_000 - 1) * 5_000; // ...to the one before its last
            // the bridge ticks on: every window up to the replay's range's last closes (rather than a fixed 8 s)
            long closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (app.closedThrough() <= to && System.nanoTime() < closeDeadline) {
                Thread.sleep(100);
            }
            assertTrue(app.closedThrough() > to, "the live run closed the range: " + app.counters().closedByTask());
            live = new TreeMap<>(livePoints.settle(Duration.ofSeconds(4)));

            Map<String, String> cli = new HashMap<>(env);
            cli.put("RIFFLE_GRAPHITE", "none");
            Result dry = riffle(cli, "replay", "--from", "@" + from / 1000, "--to", "@" + to / 1000, "--dry-run");
            assertEquals(0, dry.exit(), dry.err());
            assertTrue(dry.out().contains("windows"), dry.out());

            // while the live pipeline runs on
            Result replay = riffle(cli, "replay", "--from", "@" + from / 1000, "--to", "@" + to / 1000,
                    "--print-points");
            assertEquals(0, replay.exit(), replay.out() + replay.err());
            assertTrue(replay.out().contains(": done;"), replay.out());
            Map<String, Double> again = points(replay.out());
            Map<String, Double> liveInRange = new TreeMap<>();
            live.forEach((k, v) -> {
                long t = Long.parseLong(k.substring(k.lastIndexOf(' ') + 1)) * 1000;
                if (t >= from && t <= to && !k.startsWith("riffle.")) {
                    liveInRange.put(k, v);
                }
            });
            assertTrue(liveInRange.size() > 50, liveInRange.toString());
            assertEquals(liveInRange, again, "the same points, per host and all-hosts, for every window in range");

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                List<String> left = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                        .filter(t -> t.contains("-replay-")).toList();
                assertEquals(List.of(), left, "the replay's topics are deleted");
                List<String> groups = admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
                        .map(g -> g.groupId()).filter(g -> g.contains("-replay-")).toList();
                assertEquals(List.of(), groups, "and its groups");
            }
            assertEquals(0, app.counters().lateEvents());

            // the points topic's own range, re-sent as written (for points carbon dropped)
            Result resent = riffle(cli, "replay", "--points", "--from", "@" + from / 1000, "--print-points");
            assertEquals(0, resent.exit(), resent.out() + resent.err());
            Map<String, Double> written = points(resent.out());
            liveInRange.forEach((k, v) -> assertEquals(v, written.get(k), k));
        }
    }

    @Test
    void aRangeOutsideTheRetentionOrABadTimeIsRefusedBeforeAnythingStarts() throws Exception {
        String id = "t" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = new TimeEndToEndTest().env(id);
        Config config = Config.load(null, env, Settings.ALL_KEYS);
        try (Pipeline pipeline = new Pipeline(config)) {
            pipeline.connect(false);
            Bridge bridge = new Bridge(config, kafka.bootstrapServers());
            pipeline.start(b -> bridge);
            Thread.sleep(1_500); // its first ticks are the oldest records
            Result old = riffle(env, "replay", "--from", "@1000000000", "--to", "@1000000600");
            assertEquals(Main.BAD_CONFIG, old.exit(), old.err());
            assertTrue(old.err().contains("outside the topic's retention"), old.err());
            Result bad = riffle(env, "replay", "--from", "yesterday");
            assertEquals(Main.BAD_CONFIG, bad.exit(), bad.err());
            assertTrue(bad.err().contains("--from"), bad.err());
        }
    }
}
