package dev.riffle.alert;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** Reading a compacted topic (deliveries, silences) from its start to the end it had when the read began. */
final class CompactedTopic {
    private CompactedTopic() {
    }

    /**
     * Hands every record (key, value; a null value is a tombstone) to {@code each}, partition by partition in
     * offset order.
     *
     * @throws IllegalStateException when the end is not reached within {@code timeout}: a partial read is never
     *                               taken for the whole
     */
    static void readAll(Consumer<String, byte[]> consumer, String topic, Duration timeout,
                        BiConsumer<String, byte[]> each) {
        List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cannot read " + topic + " to its end within "
                        + TimeUnit.NANOSECONDS.toSeconds(timeout.toNanos()) + " s");
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                each.accept(r.key(), r.value());
            }
        }
    }
}
