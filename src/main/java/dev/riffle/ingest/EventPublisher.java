package dev.riffle.ingest;

import dev.riffle.core.Event;
import dev.riffle.core.EventCodec;
import java.time.Duration;
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
 * of an event in the record). What is handed over and not yet acknowledged is bounded by a {@link Backlog}.
 */
final class EventPublisher implements AutoCloseable {
    /** Extra producer memory over the backlog bound, for partly filled batches; the backlog is what bounds. */
    private static final long PRODUCER_MEMORY_MARGIN = 32L * 1024 * 1024;

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final IngestCounters counters;
    private final Backlog backlog;

    EventPublisher(String bootstrap, String topic, long backlogBytes, IngestCounters counters,
                   Map<String, Object> overrides) {
        this(new KafkaProducer<>(producerProperties(bootstrap, backlogBytes, overrides)), topic, backlogBytes,
                counters);
    }

    /** For tests, with a producer they control. */
    EventPublisher(Producer<String, byte[]> producer, String topic, long backlogBytes, IngestCounters counters) {
        this.producer = producer;
        this.topic = topic;
        this.counters = counters;
        this.backlog = new Backlog(backlogBytes);
    }

    private static Properties producerProperties(String bootstrap, long backlogBytes, Map<String, Object> overrides) {
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
        // the backlog bounds memory, so the producer's own buffer never fills and send() never waits for it
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, backlogBytes + PRODUCER_MEMORY_MARGIN);
        // send() still waits for topic metadata while Kafka is unreachable: at most this long, then it fails
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
        // records held while Kafka is away are given up (counted as publish-failed) after this long; it must stay
        // finite: an expired batch is also how the idempotent producer gets past a partition it is stuck on
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        p.putAll(overrides);
        return p;
    }

    /** One Kafka record: the events of one host, and how many there are. */
    private record HostBatch(ProducerRecord<String, byte[]> record, int events) {
        int bytes() {
            return record.value().length;
        }
    }

    /**
     * For UDP: hands the events over when the backlog has room, else drops them (counted). Never waits for
     * memory.
     */
    void offer(List<Event> events) {
        List<HostBatch> batches = batches(events);
        if (batches.isEmpty()) {
            return;
        }
        if (!backlog.tryReserve(size(batches))) {
            counters.count(IngestCounters.Reason.BACKLOG_FULL, events.size(),
                    "Kafka has not yet taken the " + backlog.used() + " bytes before these events");
            return;
        }
        try {
            send(batches);
        } catch (IllegalStateException counted) {
            // nobody to tell over UDP; send has counted the events
        }
    }

    /**
     * For TCP: waits while the backlog is full, so the caller stops reading its client meanwhile.
     *
     * @throws IllegalStateException when the producer refused the events (counted), or the bridge is closing
     */
    void publish(List<Event> events) throws InterruptedException {
        List<HostBatch> batches = batches(events);
        if (batches.isEmpty()) {
            return;
        }
        if (!backlog.reserve(size(batches))) {
            counters.count(IngestCounters.Reason.PUBLISH_FAILED, events.size(), "the bridge is closing");
            throw new IllegalStateException("the bridge is closing");
        }
        send(batches);
    }

    long backlogBytes() {
        return backlog.used();
    }

    private List<HostBatch> batches(List<Event> events) {
        Map<String, List<Event>> byHost = new LinkedHashMap<>();
        for (Event e : events) {
            byHost.computeIfAbsent(e.host(), h -> new ArrayList<>()).add(e);
        }
        List<HostBatch> batches = new ArrayList<>(byHost.size());
        for (Map.Entry<String, List<Event>> host : byHost.entrySet()) {
            long timestamp = Long.MAX_VALUE;
            for (Event e : host.getValue()) {
                timestamp = Math.min(timestamp, e.timeMillis());
            }
            batches.add(new HostBatch(new ProducerRecord<>(topic, null, timestamp, host.getKey(),
                    EventCodec.encode(host.getValue())), host.getValue().size()));
        }
        return batches;
    }

    private static long size(List<HostBatch> batches) {
        long n = 0;
        for (HostBatch b : batches) {
            n += b.bytes();
        }
        return n;
    }

    /** Sends batches already reserved in the backlog; each releases its bytes when Kafka answers. */
    private void send(List<HostBatch> batches) {
        for (int i = 0; i < batches.size(); i++) {
            HostBatch batch = batches.get(i);
            try {
                producer.send(batch.record(), (metadata, error) -> {
                    backlog.release(batch.bytes());
                    if (error == null) {
                        counters.published(batch.events());
                    } else {
                        counters.count(IngestCounters.Reason.PUBLISH_FAILED, batch.events(), error.toString());
                    }
                });
            } catch (RuntimeException e) {
                // not taken: release this batch and every later one, count their events
                List<HostBatch> unsent = batches.subList(i, batches.size());
                backlog.release(size(unsent));
                counters.count(IngestCounters.Reason.PUBLISH_FAILED, unsent.stream().mapToInt(HostBatch::events).sum(),
                        e.toString());
                throw new IllegalStateException("Kafka producer refused events: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        backlog.close();
        // bounded: with Kafka away, records still held are given up after this long (their loss is logged by Kafka)
        producer.close(Duration.ofSeconds(10));
    }
}
