package dev.riffle.bench.e2e;

import dev.riffle.core.PointsCodec;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Issue 19, "Kafka records per window at 150k series cut at least 20x", measured end to end: the records written
 * to the points topic during a step (committed ones: the end offsets at the step's start and end, then every
 * record between read back and decoded), the points in them, and the window times they carry.
 */
final class PointsTopic implements AutoCloseable {
    /** What the points topic got during a step. */
    record Figures(long records, long points, int windows, boolean complete) {
        long recordsPerWindow() {
            return windows == 0 ? -1 : Math.round((double) records / windows);
        }

        long pointsPerWindow() {
            return windows == 0 ? -1 : Math.round((double) points / windows);
        }
    }

    private static final long READ_TIMEOUT_MILLIS = 30_000;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;

    PointsTopic(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
    }

    /** The end offsets now (of committed records). */
    Map<TopicPartition, Long> mark() {
        return new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
    }

    /** Reads what was written since {@code mark}, up to the end offsets now (at most 30 s of reading). */
    Figures since(Map<TopicPartition, Long> mark) {
        Map<TopicPartition, Long> end = mark();
        mark.forEach(consumer::seek);
        long records = 0;
        long points = 0;
        Set<Long> windows = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_TIMEOUT_MILLIS);
        while (!reached(end) && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                    continue; // written after the step's end
                }
                records++;
                try {
                    PointsCodec.Contents c = PointsCodec.decode(r.value());
                    points += c.points().size();
                    windows.add(PointsCodec.recordTimeSeconds(r.value()));
                } catch (RuntimeException e) {
                    // not a points record of this format: counted as a record, no points
                }
            }
        }
        return new Figures(records, points, windows.size(), reached(end));
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
