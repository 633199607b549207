package dev.riffle.ingest;

import dev.riffle.core.Event;
import dev.riffle.core.EventCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Hands decoded events to Kafka: one record per host per call (key = host, so the topology's per-host stage
 * needs no repartition), record timestamp = the earliest event time in it (so stream time never runs ahead
 * of an event in the record).
 */
final class EventPublisher implements AutoCloseable {
    private final Producer<String, byte[]> producer;
    private final String topic;
    private final IngestCounters counters;

    EventPublisher(String bootstrap, String topic, IngestCounters counters, Map<String, Object> overrides) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // acks=all keeps idempotence on: with acks=1 a retried batch can be reordered and its events judged late
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "riffle-bridge");
        p.putAll(overrides);
        this.producer = new KafkaProducer<>(p);
        this.topic = topic;
        this.counters = counters;
    }

    /** Enqueues the events with the producer; returns once they are in its buffer. */
    void publish(List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        Map<String, List<Event>> byHost = new LinkedHashMap<>();
        for (Event e : events) {
            byHost.computeIfAbsent(e.host(), h -> new ArrayList<>(events.size())).add(e);
        }
        for (Map.Entry<String, List<Event>> batch : byHost.entrySet()) {
            List<Event> hostEvents = batch.getValue();
            long timestamp = Long.MAX_VALUE;
            for (Event e : hostEvents) {
                timestamp = Math.min(timestamp, e.timeMillis());
            }
            int n = hostEvents.size();
            producer.send(new ProducerRecord<>(topic, null, timestamp, batch.getKey(), EventCodec.encode(hostEvents)),
                    (metadata, error) -> {
                        if (error == null) {
                            counters.published(n);
                        } else {
                            counters.reject(IngestCounters.Reason.PUBLISH_FAILED, error.toString());
                        }
                    });
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
