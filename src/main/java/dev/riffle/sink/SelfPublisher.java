package dev.riffle.sink;

import dev.riffle.config.Config;
import dev.riffle.config.KafkaClients;
import dev.riffle.core.PointsCodec;
import dev.riffle.core.PointsCodec.SeriesPoint;
import dev.riffle.core.SeriesLanes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the sink's own figures to the points topic, the one route every point takes: records of the points format
 * ({@link PointsCodec}), one per lane, keyed and partitioned by the lane rule every writer follows
 * ({@link SeriesLanes}), by a small idempotent producer of the sink's own (not transactional: the figures describe
 * the sink's reading, they are no part of any exactly-once flow).
 *
 * <p>It never blocks the sink's thread: {@code max.block.ms} is 0, so a send without the topic's metadata (Kafka
 * unreachable since the start) or with the producer's buffer full fails at once. While Kafka is down the producer
 * holds what it took for at most {@value #DELIVERY_TIMEOUT_MS} ms, within {@value #BUFFER_BYTES} bytes (a minute of
 * figures is at most 60 records of about 100 bytes, each batch taking 1 KiB of it); whatever cannot be written is
 * dropped and counted ({@link #dropped()}), logged at most once a minute.
 */
final class SelfPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SelfPublisher.class);
    static final int DELIVERY_TIMEOUT_MS = 60_000;
    static final int BUFFER_BYTES = 256 * 1024;
    private static final long LOG_EVERY_MS = 60_000;

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final LongAdder offered = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final AtomicLong lastLog = new AtomicLong(Long.MIN_VALUE / 2);

    SelfPublisher(Config config, String bootstrap, String topic, String instance) {
        this(config, bootstrap, topic, instance, DELIVERY_TIMEOUT_MS);
    }

    /** @param deliveryTimeoutMs how long a figure may wait for Kafka before it is dropped (tests shorten it) */
    SelfPublisher(Config config, String bootstrap, String topic, String instance, int deliveryTimeoutMs) {
        Properties p = new Properties();
        p.putAll(KafkaClients.forClient(config, ProducerConfig.configNames()));
        p.putAll(KafkaClients.orderedProducer(bootstrap)); // as the bridge's: order kept through retries
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "riffle-sink-self-" + instance);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, BUFFER_BYTES);
        // a batch takes this much of the buffer however small its records: a record or two a partition and window
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(10_000, deliveryTimeoutMs / 2));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeoutMs);
        // Kafka 4's default (rebootstrap) forgets the topic's metadata as soon as every known broker is down, and
        // then every send fails at once: keep it, so that the producer holds the figures of an outage (within the
        // bounds above) and writes them when a broker is back. (The sink's consumer still rebootstraps.)
        p.put(CommonClientConfigs.METADATA_RECOVERY_STRATEGY_CONFIG, "none");
        this.producer = new KafkaProducer<>(p);
        this.topic = topic;
        partitions(); // asks for the topic's metadata now, so that the first figures (5 s on) find it
    }

    /** The points topic's partition count, or -1 while the producer has no metadata for it (never waits). */
    private int partitions() {
        try {
            return producer.partitionsFor(topic).size();
        } catch (InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            return -1; // the request for the metadata was made; a later call finds it once Kafka answered
        }
    }

    /** Sends one window's figures, one record per lane; drops and counts them when Kafka cannot take them now. */
    void publish(List<SeriesPoint> points) {
        if (points.isEmpty()) {
            return;
        }
        offered.add(points.size());
        int partitions = partitions();
        if (partitions <= 0) {
            drop(points.size(), "no metadata for topic " + topic);
            return;
        }
        Map<Integer, PointsCodec.Builder> lanes = new TreeMap<>();
        long time = Long.MIN_VALUE;
        for (SeriesPoint sp : points) {
            int lane = SeriesLanes.laneOf(sp.id());
            lanes.computeIfAbsent(lane, l -> new PointsCodec.Builder())
                    .add(sp.id(), sp.point().value(), sp.point().timestampSeconds());
            time = Math.max(time, sp.point().timestampSeconds());
        }
        long timestampMs = time * 1000L;
        lanes.forEach((lane, builder) -> {
            int n = builder.count();
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic,
                    SeriesLanes.partition(lane, partitions), timestampMs, SeriesLanes.key(lane), builder.build());
            try {
                producer.send(r, (meta, e) -> {
                    if (e == null) {
                        written.add(n);
                    } else {
                        drop(n, e.toString());
                    }
                });
            } catch (InterruptException e) {
                throw e;
            } catch (KafkaException e) {
                drop(n, e.toString()); // buffer full, or the metadata went away: now, not later
            }
        });
    }

    private void drop(int points, String why) {
        dropped.add(points);
        long now = System.currentTimeMillis();
        long last = lastLog.get();
        if (now - last >= LOG_EVERY_MS && lastLog.compareAndSet(last, now)) {
            log.warn("the sink's own figures could not be written to Kafka ({} points dropped so far): {}",
                    dropped.sum(), why);
        }
    }

    /** Figures handed to {@link #publish}. */
    long offered() {
        return offered.sum();
    }

    /** Figures Kafka acknowledged. */
    long written() {
        return written.sum();
    }

    /** Figures dropped: Kafka could not take them at once, or did not acknowledge them within the delivery timeout. */
    long dropped() {
        return dropped.sum();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2)); // what Kafka has not taken by then is dropped (and counted)
    }
}
