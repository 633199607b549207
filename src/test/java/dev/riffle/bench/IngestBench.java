package dev.riffle.bench;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigKey;
import dev.riffle.core.EventCodec;
import dev.riffle.ingest.Bridge;
import dev.riffle.ingest.IngestKeys;
import dev.riffle.kafka.EmbeddedKafka;
import dev.riffle.kafka.Topics;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The ingest benchmark (run by {@code scripts/bench-ingest}, never by the test suite): an in-process broker, a
 * bridge, and the {@link LoadGenerator} at increasing rates; after each run the events topic is read and every
 * event in it counted, so "accepted" means what actually landed in Kafka.
 *
 * <pre>
 * IngestBench PROTOCOL(udp|tcp|statsd) RATES(comma-separated events/s) SECONDS [BATCH] [CONNECTIONS] [HOSTS]
 * </pre>
 */
public final class IngestBench {
    private IngestBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println(
                    "usage: IngestBench udp|tcp|statsd RATE[,RATE...] SECONDS [BATCH] [CONNECTIONS] [HOSTS]");
            System.exit(2);
        }
        LoadGenerator.Protocol protocol = LoadGenerator.Protocol.valueOf(args[0].toUpperCase(Locale.ROOT));
        List<Long> rates = new ArrayList<>();
        for (String r : args[1].split(",")) {
            rates.add(Long.parseLong(r.trim()));
        }
        int seconds = Integer.parseInt(args[2]);
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : protocol == LoadGenerator.Protocol.TCP ? 100 : 1;
        int connections = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        int hosts = args.length > 5 ? Integer.parseInt(args[5]) : 100;

        Path dir = Files.createTempDirectory("riffle-bench-");
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start()) {
            System.out.printf("%-7s %9s %5s %11s %11s %11s %9s %9s %10s %10s%n", "proto", "target/s", "batch",
                    "sent", "in kafka", "lost", "sent/s", "kafka/s", "ok-replies", "heap-MiB");
            // a first, unreported round warms the JIT, so that the first reported rate is not judged cold
            run(kafka, protocol, Math.min(rates.get(0), 50_000), 3, batch, connections, hosts, 0, false);
            for (int i = 0; i < rates.size(); i++) {
                run(kafka, protocol, rates.get(i), seconds, batch, connections, hosts, i + 1, true);
            }
        } finally {
            deleteQuietly(dir);
        }
        System.exit(0); // the broker's leftover threads must not keep the JVM alive
    }

    private static void run(EmbeddedKafka kafka, LoadGenerator.Protocol protocol, long rate, int seconds, int batch,
                            int connections, int hosts, int round, boolean report) throws Exception {
        List<ConfigKey<?>> keys = new ArrayList<>(CommonKeys.ALL);
        keys.addAll(IngestKeys.ALL);
        Config config = Config.defaults(keys)
                .with(CommonKeys.EVENTS_TOPIC, "bench-events-" + round)
                .with(CommonKeys.POINTS_TOPIC, "bench-points-" + round)
                .with(IngestKeys.RIEMANN_PORT, 0)
                .with(IngestKeys.STATSD_PORT, 0)
                .with(IngestKeys.JSON_PORT, 0)
                .with(IngestKeys.SELF_METRICS_SECONDS, 0);
        Topics.ensure(kafka.bootstrapServers(), config, Duration.ofSeconds(30));
        awaitLeaders(kafka.bootstrapServers(), config.get(CommonKeys.EVENTS_TOPIC));
        Bridge bridge = new Bridge(config, kafka.bootstrapServers());
        bridge.start();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong peakHeap = new AtomicLong();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max),
                0, 100, TimeUnit.MILLISECONDS);
        try {
            int port = protocol == LoadGenerator.Protocol.STATSD ? bridge.statsdPort() : bridge.riemannPort();
            LoadGenerator generator = new LoadGenerator(protocol, new InetSocketAddress("127.0.0.1", port), hosts,
                    batch, connections);
            long kernelDropsBefore = kernelUdpDrops();
            LoadGenerator.Result sent = generator.run(rate, seconds);
            awaitQuiet(bridge, sent.events());
            bridge.close();
            sampler.shutdownNow();
            if (!report) {
                return;
            }
            long landed = countEvents(kafka.bootstrapServers(), config.get(CommonKeys.EVENTS_TOPIC));
            System.out.printf("%-7s %9d %5d %11d %11d %11d %9.0f %9.0f %10s %10d%n",
                    protocol.name().toLowerCase(Locale.ROOT), rate, batch, sent.events(), landed,
                    sent.events() - landed, sent.events() / sent.seconds(), landed / sent.seconds(),
                    protocol == LoadGenerator.Protocol.TCP ? sent.okReplies() : "-", peakHeap.get() / (1024 * 1024));
            StringBuilder why = new StringBuilder();
            bridge.counters().snapshot().forEach((name, n) -> {
                if (n > 0 && !name.startsWith("events-")) {
                    why.append(", ").append(name).append(' ').append(n);
                }
            });
            System.out.println("  bridge: " + bridge.status() + why + "; kernel UDP receive-buffer drops "
                    + (kernelUdpDrops() - kernelDropsBefore) + " (whole machine)");
        } finally {
            sampler.shutdownNow();
            bridge.close();
        }
    }

    /** Datagrams the kernel dropped because a socket's receive buffer was full (Linux), or -1. */
    private static long kernelUdpDrops() {
        try {
            List<String> udp = Files.readAllLines(Path.of("/proc/net/snmp")).stream()
                    .filter(l -> l.startsWith("Udp:")).toList();
            List<String> names = List.of(udp.get(0).split("\\s+"));
            return Long.parseLong(udp.get(1).split("\\s+")[names.indexOf("RcvbufErrors")]);
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Waits until the bridge has published or dropped what it received and nothing more comes in. */
    private static void awaitQuiet(Bridge bridge, long sent) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long last = -1;
        while (System.nanoTime() < deadline) {
            long received = bridge.counters().received();
            long done = bridge.counters().published() + bridge.counters().total(
                    dev.riffle.ingest.IngestCounters.Group.DROPPED);
            if (received == last && done >= received) {
                return;
            }
            last = received;
            Thread.sleep(500);
        }
    }

    /** A new topic's partitions get their leader a moment after creation; the run starts once all have one. */
    private static void awaitLeaders(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && admin.describeTopics(List.of(topic)).allTopicNames().get()
                    .get(topic).partitions().stream().anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
                Thread.sleep(100);
            }
        }
    }

    /** Reads the topic to its end and counts the events in it. */
    private static long countEvents(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        long events = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline
                    && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    events += EventCodec.decode(r.value()).size();
                }
            }
        }
        return events;
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException ignored) {
            // a temp dir; the OS cleans it eventually
        }
    }
}
