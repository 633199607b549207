package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.client.RiemannMessage;
import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.ingest.Bridge;
import dev.riffle.testing.WithKafka;
import dev.riffle.topology.StreamsApp;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Time from the stream on a real broker with the real bridge: a live run and a replay of the same events topic
 * give identical points, and so does a rebalance under load. Stalls (SIGSTOP) are {@link StallTest}'s.
 */
@Tag("slow")
class TimeEndToEndTest extends WithKafka {

    Map<String, String> env(String id) {
        Map<String, String> env = new HashMap<>();
        env.put("RIFFLE_DATA_DIR", dir.resolve(id).toString());
        env.put("RIFFLE_RIEMANN_PORT", "0");
        env.put("RIFFLE_STATSD_PORT", "0");
        env.put("RIFFLE_JSON_PORT", "0");
        env.put("RIFFLE_TOPICS_EVENTS", id + "-events");
        env.put("RIFFLE_TOPICS_POINTS", id + "-points");
        env.put("RIFFLE_TOPICS_EVENTS_PARTITIONS", "3");
        env.put("RIFFLE_TOPICS_POINTS_PARTITIONS", "1");
        env.put("RIFFLE_TOPOLOGY_APPLICATION_ID", id);
        env.put("RIFFLE_TOPOLOGY_COMMIT_INTERVAL_MS", "200");
        env.put("RIFFLE_INGEST_SELF_METRICS_SECONDS", "0");
        env.put("RIFFLE_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
        return env;
    }

    static StreamsApp streams(Config config, String stateDir) {
        return new StreamsApp(config, config.get(CommonKeys.KAFKA_BOOTSTRAP),
                Map.of(StreamsConfig.STATE_DIR_CONFIG, stateDir));
    }

    /** Every point of a points topic, as carbon would keep it; fails on a (path, time) written with two values. */
    static final class Points implements AutoCloseable {
        final KafkaConsumer<String, byte[]> consumer;
        final Map<String, Double> points = new TreeMap<>();

        Points(String topic) {
            this(kafka.bootstrapServers(), topic);
        }

        Points(String bootstrap, String topic) {
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "check-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new StringDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(topic));
        }

        /** Reads until nothing new came for {@code quiet} (at most two minutes). */
        Map<String, Double> settle(Duration quiet) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            long lastNew = System.nanoTime();
            while (System.nanoTime() - lastNew < quiet.toNanos() && System.nanoTime() < deadline) {
                if (poll()) {
                    lastNew = System.nanoTime();
                }
            }
            return points;
        }

        /** Reads until the points seen so far meet {@code done}, at most {@code timeout}. */
        Map<String, Double> until(java.util.function.Predicate<Map<String, Double>> done, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(points) && System.nanoTime() < deadline) {
                poll();
            }
            return points;
        }

        private boolean poll() {
            boolean any = false;
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                for (String line : dev.riffle.testing.Points.lines(r.value())) {
                    String[] f = line.split(" ");
                    String key = f[0] + " " + f[2];
                    double value = Double.parseDouble(f[1]);
                    Double before = points.put(key, value);
                    assertTrue(before == null || before == value, key + " written as " + before + " and " + value);
                }
                any = true;
            }
            return any;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    static void sendTcp(Socket s, RiemannMessage msg) throws Exception {
        byte[] bytes = msg.toBytes();
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
    }

    /**
     * One Msg of 20 meter events of hosts h0..h{hosts-1}, stamped up to 300 ms before {@code now}, sent and
     * acknowledged (Kafka has them); adds them to {@code acked} per host.
     */
    static void sendAckedMeters(Socket s, Random r, int hosts, long now, Map<String, Long> acked) throws Exception {
        RiemannMessage msg = new RiemannMessage();
        Map<String, Long> inMsg = new TreeMap<>();
        for (int i = 0; i < 20; i++) {
            String host = "h" + r.nextInt(hosts);
            msg.event((now - r.nextInt(300)) * 1000, host, "req", null, null, 1.0, null, Map.of(), "production",
                    "meter");
            inMsg.merge(host, 1L, Long::sum);
        }
        sendTcp(s, msg);
        awaitOk(s);
        inMsg.forEach((h, n) -> acked.merge(h, n, Long::sum));
    }

    /** Events per host as the points count them: each window's rate per second x 5 s, summed. */
    static Map<String, Long> countedPerHost(Map<String, Double> points) {
        Map<String, Long> counted = new TreeMap<>();
        points.forEach((point, value) -> {
            if (point.startsWith("production.h") && point.contains(".req.rate-per-second ")) {
                counted.merge(point.split("[. ]")[1], Math.round(value * 5), Long::sum);
            }
        });
        return counted;
    }

    static void awaitOk(Socket s) throws Exception {
        DataInputStream in = new DataInputStream(s.getInputStream());
        assertEquals(null, RiemannMessage.replyError(in.readNBytes(in.readInt())));
    }

    @Test
    void aReplayUnderANewApplicationIdWritesTheSamePointsAsTheLiveRun() throws Exception {
        String id = "t" + UUID.randomUUID().toString().substring(0, 8);
        Config config = Config.load(null, env(id), Settings.ALL_KEYS);
        Map<String, Double> live;
        long fastSent = 0;
        StreamsApp liveApp;
        try (Pipeline pipeline = new Pipeline(config); Points livePoints = new Points(id + "-points")) {
            pipeline.connect(false);
            liveApp = streams(config, dir.resolve(id + "-live").toString());
            Bridge bridge = new Bridge(config, kafka.bootstrapServers());
            pipeline.start(b -> liveApp).start(b -> bridge);
            Random r = new Random(7);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), bridge.riemannPort())) {
                long end = System.currentTimeMillis() + 12_000;
                while (System.currentTimeMillis() < end) { // ~200 events/s: 9 honest hosts and one 3 s fast
                    long now = System.currentTimeMillis();
                    RiemannMessage msg = new RiemannMessage();
                    for (int i = 0; i < 10; i++) {
                        int host = r.nextInt(10);
                        long t = host == 9 ? now + 3_000 : now - r.nextInt(200);
                        fastSent += host == 9 ? 2 : 0; // a meter and a timer event
                        String name = host == 9 ? "fast" : "h" + host;
                        msg.event(t * 1000, name, "req", null, null, (double) r.nextInt(10), null, Map.of(),
                                "production", "meter");
                        msg.event(t * 1000, name, "latency", null, null, r.nextDouble() * 100, null, Map.of(),
                                "production", "timer");
                    }
                    sendTcp(s, msg);
                    awaitOk(s);
                    Thread.sleep(50);
                }
            }
            bridge.close(); // its goodbye closes every window up to its last tick, on every partition
            live = new TreeMap<>(livePoints.settle(Duration.ofSeconds(8)));
            assertEquals(0, liveApp.counters().lateEvents(), "late events live");
            assertEquals(fastSent, liveApp.counters().clockAhead(), "the fast host's events, counted");
        }
        assertTrue(live.size() > 100, "live points: " + live.size());
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                "bootstrap.servers", kafka.bootstrapServers()))) {
            var topic = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, id + "-host-windows-changelog");
            assertEquals("600000", admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic)
                    .get("segment.ms").value(), "the journal's changelog can be compacted");
        }

        assertEquals(live, replay(id, env(id), live));
    }

    /**
     * The same topology under a new application id over the whole events topic, to its own points topic: the
     * points it writes (checked: none late), once they are {@code expected} (at most a minute) and 2 s more for
     * anything extra, or once nothing new came for 8 s.
     */
    Map<String, Double> replay(String id, Map<String, String> env, Map<String, Double> expected) throws Exception {
        env.put("RIFFLE_TOPOLOGY_APPLICATION_ID", id + "-replay");
        env.put("RIFFLE_TOPICS_POINTS", id + "-replay-points");
        Config replayConfig = Config.load(null, env, Settings.ALL_KEYS);
        try (Pipeline pipeline = new Pipeline(replayConfig); Points replayed = new Points(id + "-replay-points")) {
            pipeline.connect(false);
            StreamsApp replay = streams(replayConfig, dir.resolve(id + "-replay").toString());
            pipeline.start(b -> replay);
            Map<String, Double> again = replayed.until(p -> p.equals(expected), Duration.ofMinutes(1));
            again = again.equals(expected) ? replayed.settle(Duration.ofSeconds(2)) // extras would come with them
                    : replayed.settle(Duration.ofSeconds(8));
            assertEquals(0, replay.counters().lateEvents(), "late events in the replay");
            return again;
        }
    }

    /**
     * A second instance joins under load and leaves again (two rebalances): nothing is late, every acknowledged
     * event is counted once (meter sums), and the points equal those of a replay that saw no rebalance.
     */
    @Test
    void aRebalanceUnderLoadDropsNothingAndCountsEveryEventOnce() throws Exception {
        String id = "t" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> e = env(id);
        e.put("RIFFLE_TOPICS_EVENTS_PARTITIONS", "6");
        Config config = Config.load(null, e, Settings.ALL_KEYS);
        Map<String, Long> acked = new TreeMap<>();
        Map<String, Double> live;
        try (Pipeline pipeline = new Pipeline(config); Points points = new Points(id + "-points")) {
            pipeline.connect(false);
            StreamsApp first = streams(config, dir.resolve(id + "-a").toString());
            Bridge bridge = new Bridge(config, kafka.bootstrapServers());
            pipeline.start(b -> first).start(b -> bridge);
            StreamsApp second = null;
            Random r = new Random(11);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), bridge.riemannPort())) {
                long start = System.currentTimeMillis();
                long end = start + 16_000;
                boolean joined = false;
                boolean left = false;
                while (System.currentTimeMillis() < end) {
                    long now = System.currentTimeMillis();
                    if (!joined && now > start + 4_000) {
                        second = streams(config, dir.resolve(id + "-b").toString());
                        second.start(); // tasks move to it under load
                        joined = true;
                    } else if (joined && !left && now > start + 10_000) {
                        second.close(); // and back
                        left = true;
                    }
                    sendAckedMeters(s, r, 24, now, acked);
                    Thread.sleep(20);
                }
            }
            long lastWindowEnd = (System.currentTimeMillis() / 5_000 + 1) * 5_000;
            // the bridge ticks on until the last window with events closes (a goodbye would not vouch for it: a
            // bridge that starts again could still have events for it); polled rather than a fixed 7 s
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90); // tasks move back, state restores
            while (first.closedThrough() < lastWindowEnd && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            bridge.close();
            assertTrue(first.closedThrough() >= lastWindowEnd, "every task closed the last window: "
                    + first.counters().closedByTask());
            live = new TreeMap<>(points.settle(Duration.ofSeconds(5)));
            long late = first.counters().lateEvents() + (second == null ? 0 : second.counters().lateEvents());
            assertEquals(0, late, "late events across the rebalances");
        }
        Map<String, Long> counted = countedPerHost(live);
        assertEquals(acked, counted, "events acknowledged vs counted, per host");

        assertEquals(live, replay(id, e, live));
    }

    static void signal(Process p, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal);
    }
}
