package dev.riffle.alert;

import dev.riffle.config.Config;
import dev.riffle.core.PointsCodec;
import dev.riffle.core.SeriesId;
import dev.riffle.core.Statistic;
import dev.riffle.testing.Points;
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
 * 100 rules instead of 1,000, {@code -Dthreads=N} for N stream threads, {@code -Dhosts=N} for N x 100 series
 * (1,500), {@code -Dpace=P} to write P points/s (a fleet's rate; 0, the default, writes as fast as it can) and
 * see how far evaluation lags behind each window.
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
                    producer.send(new ProducerRecord<>("riffle-points", "warm.up", Points.record("warm.up", 0, 1)));
                    producer.flush();
                    Thread.sleep(200);
                }
                long warm = stage.pointsEvaluated();
                Random r = new Random(1);
                long t0 = (System.currentTimeMillis() / 5000) * 5000 - 3_600_000;
                long cpu0 = streamThreadsCpuNanos();
                long start = System.nanoTime();
                long total = 0;
                int hosts = Integer.getInteger("hosts", 1500);
                int pace = Integer.getInteger("pace", 0);
                long perWindow = hosts * 100L;
                long[] producedAt = new long[windows];
                long[] evaluatedAt = new long[windows];
                Thread watch = new Thread(() -> watch(stage, warm, perWindow, evaluatedAt), "bench-watch");
                watch.setDaemon(true);
                watch.start();
                for (int w = 0; w < windows; w++) {
                    for (int h = 0; h < hosts; h++) {
                        // one record per host and window, as the topology batches points
                        PointsCodec.Builder batch = new PointsCodec.Builder();
                        for (int s = 0; s < 100; s++) {
                            double v = r.nextInt(200) == 0 ? 2000 : 50 + r.nextDouble() * 10;
                            batch.add(SeriesId.host("production", "h" + h, "svc" + s,
                                    Statistic.percentile("value", "0.99")), v, (t0 + w * 5000L) / 1000);
                            total++;
                        }
                        producer.send(new ProducerRecord<>("riffle-points", "h" + h, batch.build()));
                        if (pace > 0) { // the fleet's rate: wait until this many points are due
                            long due = start + total * 1_000_000_000L / pace;
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            }
                        }
                    }
                    producer.flush();
                    producedAt[w] = System.nanoTime();
                }
                long produced = System.nanoTime();
                deadline = System.currentTimeMillis() + 600_000;
                while (stage.pointsEvaluated() - warm < total && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                }
                watch.join(5_000);
                StringBuilder lags = new StringBuilder();
                for (int w = 0; w < windows; w++) {
                    lags.append(w == 0 ? "" : ", ").append(evaluatedAt[w] == 0 ? "not reached"
                            : String.format("%.1f s", (evaluatedAt[w] - producedAt[w]) / 1e9));
                }
                System.out.printf("%,d series, %s: window w's points all evaluated this long after they were all "
                        + "written (count reached): %s%n", perWindow, pace > 0 ? "paced at " + pace + " points/s"
                        : "as fast as the producer goes", lags);
                long end = System.nanoTime();
                long cpu = streamThreadsCpuNanos() - cpu0;
                Runtime rt = Runtime.getRuntime();
                System.gc();
                long heap = (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
                long stateBytes;
                try (Stream<Path> files = Files.walk(dir.resolve("state"))) {
                    stateBytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
                }
                System.out.printf("points %d (%d windows, %s rules), written in %.1f s, "
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

    /** Notes when the count of evaluated points first reaches each window's end (bounded: 10 minutes). */
    private static void watch(AlertStage stage, long warm, long perWindow, long[] evaluatedAt) {
        long deadline = System.nanoTime() + 600_000_000_000L;
        int w = 0;
        while (w < evaluatedAt.length && System.nanoTime() < deadline) {
            long done = stage.pointsEvaluated() - warm;
            while (w < evaluatedAt.length && done >= (w + 1) * perWindow) {
                evaluatedAt[w++] = System.nanoTime();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
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
