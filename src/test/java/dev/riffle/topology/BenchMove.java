package dev.riffle.topology;

import dev.riffle.config.Config;
import dev.riffle.kafka.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Benchmark (run by scripts/bench-move, not a test): what it costs to move tasks at 150k series. One instance
 * processes preloaded events of hosts x services series over a few windows; then a second instance joins, and the
 * bench times how long until each holds half of each sub-topology, with the changelog's size and the restores'
 * and warm copies' records and times. Without live load: the figures are the state's, not a busy box's.
 *
 * <pre>args: [hosts=3000] [services=50] [perKeyPerWindow=2] [windows=3] [lag=10000] [warmups=2]
 *       [probingMs=60000]</pre>
 * {@code lag} (topology.acceptable_recovery_lag) decides the path: a newcomer whose copy lags more warms up first
 * and takes tasks at probing rebalances ({@code warmups} at a time); a huge lag makes it take them at once and
 * restore them from the changelog as active tasks.
 */
public final class BenchMove {
    private BenchMove() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = BenchTopology.arguments(args);
        int hosts = Integer.parseInt(a.getOrDefault("hosts", "3000"));
        int services = Integer.parseInt(a.getOrDefault("services", "50"));
        int perKeyPerWindow = Integer.parseInt(a.getOrDefault("perKeyPerWindow", "2"));
        int windows = Integer.parseInt(a.getOrDefault("windows", "3"));
        int events = hosts * services * perKeyPerWindow * windows;
        Map<String, String> env = Map.of(
                TopologyKeys.ACCEPTABLE_RECOVERY_LAG.envName(), a.getOrDefault("lag",
                        TopologyKeys.ACCEPTABLE_RECOVERY_LAG.defaultValue().toString()),
                TopologyKeys.MAX_WARMUP_REPLICAS.envName(), a.getOrDefault("warmups",
                        TopologyKeys.MAX_WARMUP_REPLICAS.defaultValue().toString()),
                TopologyKeys.PROBING_REBALANCE_INTERVAL_MS.envName(), a.getOrDefault("probingMs",
                        TopologyKeys.PROBING_REBALANCE_INTERVAL_MS.defaultValue().toString()));
        System.out.println("settings: " + env);

        Path dir = Files.createTempDirectory("riffle-bench-move");
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start()) {
            String bootstrap = kafka.bootstrapServers();
            BenchTopology.createTopics(bootstrap);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                long t0 = System.nanoTime();
                BenchTopology.preload(bootstrap, events, hosts, services, 10, perKeyPerWindow, false);
                System.out.printf("preloaded %,d events: %,d series x %d windows, in %.1f s%n", events,
                        hosts * services, windows, (System.nanoTime() - t0) / 1e9);

                Config config = Config.load(null, env, Harness.KEYS);
                StreamsApp first = new StreamsApp(config, bootstrap,
                        Map.of(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("first").toString()));
                StreamsApp second = new StreamsApp(config, bootstrap,
                        Map.of(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("second").toString()));
                try {
                    long start = System.nanoTime();
                    first.start();
                    long deadline = start + TimeUnit.MINUTES.toNanos(15);
                    while (first.counters().eventsProcessed() < events && System.nanoTime() < deadline) {
                        Thread.sleep(100);
                    }
                    Thread.sleep(3_000); // a few commits: the state is in the changelog
                    System.out.printf("first instance processed %,d events in %.1f s: %s%n",
                            first.counters().eventsProcessed(), (System.nanoTime() - start) / 1e9, first.localTasks());
                    changelogs(admin);

                    long join = System.nanoTime();
                    second.start();
                    String last = "";
                    deadline = join + TimeUnit.MINUTES.toNanos(15);
                    while (System.nanoTime() < deadline) {
                        String now = "first" + first.localTasks() + " | second" + second.localTasks();
                        if (!now.equals(last)) {
                            System.out.printf("%6.1f s  %s%n", (System.nanoTime() - join) / 1e9, now);
                            last = now;
                        }
                        if (balanced(first) && balanced(second)) {
                            break;
                        }
                        Thread.sleep(100);
                    }
                    System.out.printf("the second instance joined; each holds half of each sub-topology after %.1f s"
                            + " (%s)%n", (System.nanoTime() - join) / 1e9,
                            balanced(first) && balanced(second) ? "settled" : "NOT settled within 15 min");
                    System.out.println("second instance: " + second.restores().summary());
                    System.out.println("first instance: " + first.restores().summary());
                } finally {
                    second.close();
                    first.close();
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static boolean balanced(StreamsApp app) {
        return app.state() == KafkaStreams.State.RUNNING
                && Objects.equals(app.tasksBySubtopology(true), Map.of(0, 3, 1, 3));
    }

    /** Each changelog's records (end offsets: what a newcomer's lag counts) and bytes on disk. */
    static void changelogs(Admin admin) throws Exception {
        Set<String> topics = admin.listTopics().names().get().stream().filter(t -> t.endsWith("-changelog"))
                .collect(Collectors.toSet());
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get().forEach((name, d) -> d.partitions()
                .forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        Map<String, Long> records = new HashMap<>();
        admin.listOffsets(latest).all().get().forEach((tp, r) -> records.merge(tp.topic(), r.offset(), Long::sum));
        Map<String, Long> bytes = new HashMap<>();
        // the in-process broker is node 1
        admin.describeLogDirs(List.of(1)).allDescriptions().get().values().forEach(dirs -> dirs.values()
                .forEach(d -> d.replicaInfos().forEach((tp, info) -> {
                    if (topics.contains(tp.topic())) {
                        bytes.merge(tp.topic(), info.size(), Long::sum);
                    }
                })));
        for (String t : topics.stream().sorted().toList()) {
            System.out.printf("changelog %s: %,d records (end offsets, 6 partitions), %,d bytes%n", t,
                    records.getOrDefault(t, 0L), bytes.getOrDefault(t, 0L));
        }
    }
}
