package dev.riffle.ingest;

import dev.riffle.config.KafkaClients;
import dev.riffle.core.Event;
import dev.riffle.core.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.utils.Utils;

/**
 * Hands decoded events to Kafka: one record per host per call (key = host, so the topology's per-host stage
 * needs no repartition), record timestamp = the earliest event time in it (so stream time never runs ahead
 * of an event in the record). The events of a spread host (the statsd host, whose lines carry none, and the
 * hosts in {@code ingest.spread_hosts}) would all sit in one partition, closed by one task; they are spread
 * instead by their service: partition = murmur2(host TAB service) mod partitions, one record per host and
 * partition, the key still the host. Either way one (host, service) always lands in one partition, which is all
 * the topology needs for exact per-host points. What is handed over and not yet acknowledged is drawn from the bridge's
 * {@link MemoryBudget}. TCP input gets an {@link Ack} that settles when Kafka acknowledged every record (acks=all),
 * so that a Riemann {@code ok} means "Kafka has it".
 */
final class EventPublisher implements AutoCloseable {
    /** Extra producer memory over the budget, for partly filled batches; the budget is what bounds. */
    private static final long PRODUCER_MEMORY_MARGIN = 32L * 1024 * 1024;
    private static final long UNREACHABLE_PAUSE_NANOS = 1_000_000_000L;
    /** At a few hundred bytes of JSON per event, a record stays far below Kafka's 1 MB default limits. */
    static final int MAX_EVENTS_PER_RECORD = 1_000;

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final IngestCounters counters;
    private final MemoryBudget budget;
    private final Set<String> spreadHosts;
    /** Until when (System.nanoTime) UDP input is dropped at once because Kafka did not answer for metadata. */
    private volatile long unreachableUntil = System.nanoTime();

    EventPublisher(String bootstrap, String topic, MemoryBudget budget, IngestCounters counters,
                   Map<String, Object> overrides, Set<String> spreadHosts) {
        this(new KafkaProducer<>(producerProperties(bootstrap, budget.limit(), overrides)), topic, budget, counters,
                spreadHosts);
    }

    /** For tests, with a producer they control. */
    EventPublisher(Producer<String, byte[]> producer, String topic, MemoryBudget budget, IngestCounters counters) {
        this(producer, topic, budget, counters, Set.of());
    }

    EventPublisher(Producer<String, byte[]> producer, String topic, MemoryBudget budget, IngestCounters counters,
                   Set<String> spreadHosts) {
        this.producer = producer;
        this.topic = topic;
        this.counters = counters;
        this.budget = budget;
        this.spreadHosts = Set.copyOf(spreadHosts);
    }

    /** The events partition of a spread host's series: stable, the same in every bridge and after a restart. */
    static int spreadPartition(String host, String service, int partitions) {
        byte[] key = (host + '\t' + service).getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    private static Properties producerProperties(String bootstrap, long budgetBytes, Map<String, Object> overrides) {
        Properties p = KafkaClients.orderedProducer(bootstrap);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // each producer batch allocates its own lz4 buffers (tens of KB): fewer, fuller batches mean far less
        // garbage, hence shorter GC pauses, which are what overflows UDP socket buffers; 20 ms is still far below
        // the topology's 1 s grace
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "riffle-bridge");
        // the budget bounds what is unacknowledged, so the producer's own buffer (which holds the records'
        // compressed copies) never fills and send() never waits for it
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, budgetBytes + PRODUCER_MEMORY_MARGIN);
        // send() still waits for topic metadata while Kafka is unreachable: at most this long, then it fails
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
        // records held while Kafka is away are given up (counted as publish-failed) after this long; it must stay
        // finite: an expired batch is also how the idempotent producer gets past a partition it is stuck on
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        p.putAll(overrides);
        return p;
    }

    /** One Kafka record: the events of one host, how many there are, and whether they are input (not our own). */
    private record HostBatch(ProducerRecord<String, byte[]> record, int events, boolean input) {
        int bytes() {
            return record.value().length;
        }
    }

    /**
     * For UDP: hands the events over when the budget has room, else drops them (counted). Never waits for
     * memory; while Kafka is unreachable it drops at once instead of waiting for metadata each time.
     */
    void offer(List<Event> events, long receivedMicros) {
        offer(events, receivedMicros, true);
    }

    /**
     * For the bridge's own figures: as {@link #offer(List)}, but the events are not input, so they are counted
     * neither as published nor as dropped input (only logged when they cannot go).
     */
    void offerOwn(List<Event> events, long receivedMicros) {
        offer(events, receivedMicros, false);
    }

    private void offer(List<Event> events, long receivedMicros, boolean input) {
        if (System.nanoTime() < unreachableUntil) {
            countLost(input, events.size(), "Kafka is unreachable", IngestCounters.Reason.PUBLISH_FAILED);
            return;
        }
        List<HostBatch> batches = batches(events, receivedMicros, input);
        if (batches.isEmpty()) {
            return;
        }
        if (!budget.tryReserve(MemoryBudget.Use.UNACKED, size(batches))) {
            countLost(input, events.size(), "the bridge's memory budget is spent ("
                    + budget.used() + " bytes held)", IngestCounters.Reason.MEMORY_FULL);
            return;
        }
        Refusal refused = send(batches, 0, null);
        if (refused != null) {
            giveUp(batches, refused, null); // nobody to tell over UDP
        }
    }

    private void countLost(boolean input, int events, String why, IngestCounters.Reason reason) {
        if (input) {
            counters.count(reason, events, why);
        } else {
            counters.ownLost(events, why);
        }
    }

    /**
     * For TCP: waits while the budget is spent or Kafka unreachable, so the caller stops reading its client
     * meanwhile, then hands the events over without waiting for Kafka's answer.
     *
     * @return settles when Kafka acknowledged every event, or failed (counted as publish-failed) when the producer
     *         refused or gave up on any of them, or the bridge is closing
     */
    Ack publish(List<Event> events, long receivedMicros) throws InterruptedException {
        List<HostBatch> batches = batches(events, receivedMicros, true);
        if (batches.isEmpty()) {
            return Ack.DONE;
        }
        if (!budget.reserve(MemoryBudget.Use.UNACKED, size(batches))) {
            counters.count(IngestCounters.Reason.PUBLISH_FAILED, events.size(), "the bridge is closing");
            return Ack.failed("the bridge is closing");
        }
        Ack ack = new Ack(batches.size());
        Refusal refused = send(batches, 0, ack);
        // Kafka unreachable: each attempt waits up to max.block.ms for metadata; keep trying while open
        while (refused != null && refused.error() instanceof TimeoutException && !budget.closed()) {
            refused = send(batches, refused.index(), ack);
        }
        if (refused != null) {
            giveUp(batches, refused, ack);
        }
        return ack;
    }

    /** Bytes of events handed to the producer and not yet acknowledged. */
    long unackedBytes() {
        return budget.used(MemoryBudget.Use.UNACKED);
    }

    /** Where a record goes: a host, and for a spread host the partition (null: by the key, the host). */
    private record Slot(String host, Integer partition) {
    }

    private List<HostBatch> batches(List<Event> events, long receivedMicros, boolean input) {
        Map<Slot, List<Event>> bySlot = new LinkedHashMap<>();
        int partitions = -1;
        for (Event e : events) {
            Integer partition = null;
            if (spreadHosts.contains(e.host())) {
                if (partitions < 0) {
                    partitions = partitionCount();
                }
                partition = partitions > 0 ? spreadPartition(e.host(), e.service(), partitions) : null;
            }
            bySlot.computeIfAbsent(new Slot(e.host(), partition), h -> new ArrayList<>()).add(e);
        }
        List<HostBatch> batches = new ArrayList<>(bySlot.size());
        for (Map.Entry<Slot, List<Event>> slot : bySlot.entrySet()) {
            List<Event> all = slot.getValue();
            // a huge Msg of one host becomes several records, each well below Kafka's default request size
            for (int from = 0; from < all.size(); from += MAX_EVENTS_PER_RECORD) {
                List<Event> part = all.subList(from, Math.min(all.size(), from + MAX_EVENTS_PER_RECORD));
                long timestamp = Long.MAX_VALUE;
                for (Event e : part) {
                    timestamp = Math.min(timestamp, e.timeMillis());
                }
                batches.add(new HostBatch(new ProducerRecord<>(topic, slot.getKey().partition(), timestamp,
                        slot.getKey().host(), EventCodec.encode(part, receivedMicros)), part.size(), input));
            }
        }
        return batches;
    }

    /**
     * The events topic's partition count from the producer's metadata (cached after the first call); 0 when Kafka
     * cannot tell now: the records then go by their key, and their send fails or waits like any other.
     */
    private int partitionCount() {
        try {
            return producer.partitionsFor(topic).size();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static long size(List<HostBatch> batches) {
        long n = 0;
        for (HostBatch b : batches) {
            n += b.bytes();
        }
        return n;
    }

    /** Where sending stopped, and why. */
    private record Refusal(int index, Exception error) {
    }

    /**
     * The answer for one batch. The producer reports some refusals (no metadata within max.block.ms) through the
     * callback while still inside send(), on the calling thread: those are handed back to the caller, which may
     * retry; answers from Kafka arrive later on the producer's thread and release the batch's bytes.
     */
    private final class Delivery implements Callback {
        // sizes only, not the record: the producer has copied it, so its bytes can be collected at once
        private final int bytes;
        private final int events;
        private final boolean input;
        private final Ack ack;
        private final Thread caller = Thread.currentThread();
        private boolean inSend; // touched by the calling thread only
        private Exception refusedInSend;

        Delivery(HostBatch batch, Ack ack) {
            this.bytes = batch.bytes();
            this.events = batch.events();
            this.input = batch.input();
            this.ack = ack;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception error) {
            if (error != null && Thread.currentThread() == caller && inSend) {
                refusedInSend = error;
                return;
            }
            budget.release(MemoryBudget.Use.UNACKED, bytes);
            if (error == null) {
                if (input) {
                    counters.published(events);
                }
                if (ack != null) {
                    ack.recordDone();
                }
            } else {
                countLost(input, events, error.toString(), IngestCounters.Reason.PUBLISH_FAILED);
                if (ack != null) {
                    ack.recordFailed("Kafka did not take the events: " + error);
                }
            }
        }
    }

    /**
     * Sends batches already reserved in the memory budget, from {@code from} on. Returns null when the producer took
     * them all, else the first it refused (whose bytes, like those of the later ones, are still reserved).
     */
    private Refusal send(List<HostBatch> batches, int from, Ack ack) {
        for (int i = from; i < batches.size(); i++) {
            Delivery delivery = new Delivery(batches.get(i), ack);
            Exception refused;
            delivery.inSend = true;
            try {
                producer.send(batches.get(i).record(), delivery);
                refused = delivery.refusedInSend;
            } catch (RuntimeException e) {
                refused = e;
            } finally {
                delivery.inSend = false;
            }
            if (refused != null) {
                if (refused instanceof TimeoutException) {
                    unreachableUntil = System.nanoTime() + UNREACHABLE_PAUSE_NANOS;
                }
                return new Refusal(i, refused);
            }
        }
        return null;
    }

    /** Releases the refused batch and every later one, counting their events. */
    private void giveUp(List<HostBatch> batches, Refusal refused, Ack ack) {
        List<HostBatch> unsent = batches.subList(refused.index(), batches.size());
        budget.release(MemoryBudget.Use.UNACKED, size(unsent));
        countLost(unsent.get(0).input(), unsent.stream().mapToInt(HostBatch::events).sum(),
                refused.error().toString(), IngestCounters.Reason.PUBLISH_FAILED);
        if (ack != null) {
            for (int i = 0; i < unsent.size(); i++) {
                ack.recordFailed("Kafka producer refused events: " + refused.error().getMessage());
            }
        }
    }

    /**
     * Writes a bridge's tick into every partition of the events topic, after every event handed over before
     * (one producer, so each partition keeps the order). A failed tick is only logged: the next one says more.
     */
    void tick(String bridge, long watermarkMicros, boolean bye) {
        int partitions = producer.partitionsFor(topic).size();
        byte[] value = EventCodec.encodeTick(new EventCodec.Tick(bridge, watermarkMicros, partitions, bye));
        long timestamp = Math.floorDiv(watermarkMicros, 1000L);
        for (int p = 0; p < partitions; p++) {
            producer.send(new ProducerRecord<>(topic, p, timestamp, bridge, value), (metadata, error) -> {
                if (error != null) {
                    counters.tickFailed(error);
                }
            });
        }
    }

    @Override
    public void close() {
        budget.close();
        // bounded: with Kafka away, records still held are given up after this long (their loss is logged by Kafka)
        producer.close(Duration.ofSeconds(10));
    }
}
