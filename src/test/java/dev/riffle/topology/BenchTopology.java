package dev.riffle.topology;

import dev.riffle.config.Config;
import dev.riffle.core.Event;
import dev.riffle.core.EventCodec;
import dev.riffle.kafka.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Benchmark (run by scripts/bench-topology, not a test): preloads events into riffle-events on an in-process
 * broker, then times one StreamsApp instance (exactly-once, default settings) processing all of them.
 *
 * <pre>args: [events=2000000] [hosts=1000] [services=50] [batch=10] [perKeyPerWindow=10] [hot=false] [threads=1] [commitMs=100]</pre>
 * Kinds are mixed: 40% meter, 20% gauge, 20% histogram, 10% timer, 10% occurrence; environments production
 * and staging. {@code perKeyPerWindow} sets how many events each (host, service) sees per 5 s window, and so
 * the ratio of points to events. {@code hot=true} sends every event to one service.
 */
public final class BenchTopology {
    private BenchTopology() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = arguments(args);
        int events = Integer.parseInt(a.getOrDefault("events", "2000000"));
        int hosts = Integer.parseInt(a.getOrDefault("hosts", "1000"));
        int services = Integer.parseInt(a.getOrDefault("services", "50"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "10"));
        int perKeyPerWindow = Integer.parseInt(a.getOrDefault("perKeyPerWindow", "10"));
        boolean hot = Boolean.parseBoolean(a.getOrDefault("hot", "false"));
        String threads = a.getOrDefault("threads", "1");
        String commitMs = a.getOrDefault("commitMs", TopologyKeys.COMMIT_INTERVAL_MS.defaultValue().toString());

        Path dir = Files.createTempDirectory("riffle-bench");
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start()) {
            String bootstrap = kafka.bootstrapServers();
            createTopics(bootstrap);
            long t0 = System.nanoTime();
            preload(bootstrap, events, hosts, services, batch, perKeyPerWindow, hot);
            System.out.printf("preloaded %,d events (%d hosts x %d services, %d per record, %d per key per window,"
                    + " hot=%s) in %.1f s%n", events, hosts, hot ? 1 : services, batch, perKeyPerWindow, hot,
                    (System.nanoTime() - t0) / 1e9);

            Config config = Config.load(null, Map.of("RIFFLE_TOPOLOGY_THREADS", threads,
                    "RIFFLE_TOPOLOGY_COMMIT_INTERVAL_MS", commitMs), Harness.KEYS);
            StreamsApp app = new StreamsApp(config, bootstrap, Map.of(StreamsConfig.STATE_DIR_CONFIG,
                    dir.resolve("streams").toString()));
            long start = System.nanoTime();
            long first = 0;
            app.start();
            long deadline = start + TimeUnit.MINUTES.toNanos(15);
            while (app.counters().eventsProcessed() < events && System.nanoTime() < deadline) {
                if (first == 0 && app.counters().eventsProcessed() > 0) {
                    first = System.nanoTime();
                }
                Thread.sleep(20);
            }
            long end = System.nanoTime();
            long done = app.counters().eventsProcessed();
            System.out.printf("processed %,d events: %.0f events/s from the first event, %.0f events/s including "
                    + "start-up (%.1f s); points emitted %,d, late %d%n", done, done / ((end - first) / 1e9),
                    done / ((end - start) / 1e9), (first - start) / 1e9, app.counters().pointsEmitted(),
                    app.counters().lateEvents());
            app.close();
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The events and points topics, 6 partitions each, with their leaders. */
    static void createTopics(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("riffle-events", 6, (short) 1),
                    new NewTopic("riffle-points", 6, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        Thread.sleep(2_000); // let the new partitions get their leaders
    }

    /** {@code name=value} arguments by name. */
    static Map<String, String> arguments(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return a;
    }

    private static final String[][] KINDS = {{"meter"}, {"meter"}, {"meter"}, {"meter"}, {"gauge"}, {"gauge"},
        {"histogram"}, {"histogram"}, {"timer"}, {"occurrence"}};

    /** Events in time order: each record one host's batch; each window holds perKeyPerWindow per key. */
    static void preload(String bootstrap, int events, int hosts, int services, int batch,
                                int perKeyPerWindow, boolean hot) throws Exception {
        long eventsPerWindow = (long) hosts * services * perKeyPerWindow; // the same event rate when hot
        long base = (System.currentTimeMillis() / 5000 - 100) * 5000;
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new StringSerializer(), new ByteArraySerializer())) {
            int n = 0;
            int record = 0;
            while (n < events) {
                String host = "host" + (record % hosts);
                List<Event> batchEvents = new ArrayList<>(batch);
                for (int i = 0; i < batch && n < events; i++, n++) {
                    long t = base + n * 5000L / eventsPerWindow;
                    int s = hot ? 0 : (record / hosts * batch + i) % services;
                    String[] kind = KINDS[(s + i) % KINDS.length];
                    String env = (record % hosts) % 2 == 0 ? "production" : "staging";
                    batchEvents.add(Event.of(t * 1000, host, hot ? "hot" : "service" + s, List.of(env, kind[0]),
                            (double) (n % 1000)));
                }
                p.send(new ProducerRecord<>("riffle-events", host, EventCodec.encode(batchEvents)));
                record++;
            }
            p.flush();
        }
    }
}
