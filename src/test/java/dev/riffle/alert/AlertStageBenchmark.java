package dev.riffle.alert;

import dev.riffle.config.Config;
import dev.riffle.core.Point;
import dev.riffle.core.PointCodec;
import dev.riffle.kafka.EmbeddedKafka;
import dev.riffle.kafka.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The alert stage's cost as it runs (Kafka Streams, exactly once, RocksDB stores with changelogs, an in-process
 * broker in the same JVM): 1,000 rules over 150,000 series, {@code windows} windows of points written to the
 * points topic, timed until the stage has evaluated them all. Run with the test classpath:
 * {@code java -Xmx2g -cp ... dev.riffle.alert.AlertStageBenchmark [windows]}; {@code -Drules=100} for the issue's
 * 100 rules instead of 1,000, {@code -Dthreads=N} for N stream threads.
 */
public final class AlertStageBenchmark {
    public static void main(String[] args) throws Exception {
        int windows = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        Path dir = Files.createTempDirectory("riffle-alert-bench");
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start()) {
            String rules = BenchRules.yaml(System.getProperty("rules", "1000"));
            Map<String, String> env = new HashMap<>();
            env.put("RIFFLE_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
            env.put("RIFFLE_DATA_DIR", dir.toString());
            env.put("RIFFLE_ALERTS_RULES", rules);
            env.put("RIFFLE_ALERTS_THREADS", System.getProperty("threads", "1"));
            Config config = Config.load(null, env, dev.riffle.cli.TestKeys.all());
            Topics.ensure(kafka.bootstrapServers(), config, Duration.ofSeconds(30));
            AlertStage stage = new AlertStage(config, kafka.bootstrapServers(),
                    Map.of(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString()),
                    new PrintStream(new ByteArrayOutputStream()));
            stage.start();
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                    new ByteArraySerializer())) {
                long deadline = System.currentTimeMillis() + 60_000;
                while ((stage.state() != KafkaStreams.State.RUNNING || stage.pointsEvaluated() == 0)
                        && System.currentTimeMillis() < deadline) {
                    producer.send(new ProducerRecord<>("riffle-points", "warm.up", PointCodec.encode(new Point(0, 1))));
                    producer.flush();
                    Thread.sleep(200);
                }
                long warm = stage.pointsEvaluated();
                Random r = new Random(1);
                long t0 = (System.currentTimeMillis() / 5000) * 5000 - 3_600_000;
                long cpu0 = streamThreadsCpuNanos();
                long start = System.nanoTime();
                long total = 0;
                for (int w = 0; w < windows; w++) {
                    for (int h = 0; h < 1500; h++) {
                        for (int s = 0; s < 100; s++) {
                            double v = r.nextInt(200) == 0 ? 2000 : 50 + r.nextDouble() * 10;
                            producer.send(new ProducerRecord<>("riffle-points", "production.h" + h + ".svc" + s
                                    + ".value.99", PointCodec.encode(new Point(v, (t0 + w * 5000L) / 1000))));
                            total++;
                        }
                    }
                }
                producer.flush();
                long produced = System.nanoTime();
                deadline = System.currentTimeMillis() + 600_000;
                while (stage.pointsEvaluated() - warm < total && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                }
                long end = System.nanoTime();
                long cpu = streamThreadsCpuNanos() - cpu0;
                Runtime rt = Runtime.getRuntime();
                System.gc();
                long heap = (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
                long stateBytes;
                try (Stream<Path> files = Files.walk(dir.resolve("state"))) {
                    stateBytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
                }
                System.out.printf("points %d (%d windows of 150,000 series, %s rules), written in %.1f s, "
                                + "evaluated in %.1f s: %.0f points/s; %s%n", total, windows,
                        System.getProperty("rules", "1000"), (produced - start) / 1e9, (end - start) / 1e9,
                        (stage.pointsEvaluated() - warm) / ((end - start) / 1e9), stage.status());
                // CPU time, not wall time, says what a thread costs on a machine shared with other work
                System.out.printf("stream threads' CPU: %.1f s, %.2f us per point: %.0f points/s per busy thread%n",
                        cpu / 1e9, cpu / 1e3 / total, total / (cpu / 1e9));
                System.out.printf("heap in use after GC (broker, producer and stage in one JVM): %d MB; "
                        + "RocksDB state on disk: %d MB%n", heap, stateBytes / (1024 * 1024));
            }
            stage.close();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) { // the broker log of a run is ~140 MB
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** CPU time of the stage's stream threads (not their producers' network threads) so far. */
    private static long streamThreadsCpuNanos() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().contains("StreamThread") && !t.getName().contains("producer")) {
                sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
            }
        }
        return sum;
    }
}
