package dev.riffle.alert;

import dev.riffle.config.Config;
import dev.riffle.config.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code riffle silence add|list|expire}: silences live in the compacted silences topic, keyed by id. */
public final class Silences {
    private static final Logger log = LoggerFactory.getLogger(Silences.class);

    private Silences() {
    }

    /** Writes a new silence and returns it. */
    public static Silence add(Config config, String bootstrap, Map<String, String> matchers, long startsAtMs,
                              long endsAtMs, String createdBy, String comment) {
        Silence s = new Silence(UUID.randomUUID().toString(), matchers, startsAtMs, endsAtMs, createdBy, comment);
        AlertStage.ensureTopics(config, bootstrap);
        write(config, bootstrap, s);
        return s;
    }

    /** Ends a silence now; false when there is no such silence or it has ended already. */
    public static boolean expire(Config config, String bootstrap, String id, long nowMs) {
        AlertStage.ensureTopics(config, bootstrap);
        Silence s = read(config, bootstrap).get(id);
        if (s == null || s.endsAtMs() <= nowMs) {
            return false;
        }
        write(config, bootstrap, new Silence(s.id(), s.matchers(), s.startsAtMs(), nowMs, s.createdBy(),
                s.comment()));
        return true;
    }

    /** Every silence the topic holds (latest version of each), ending last first. */
    public static List<Silence> list(Config config, String bootstrap) {
        AlertStage.ensureTopics(config, bootstrap);
        List<Silence> out = new ArrayList<>(read(config, bootstrap).values());
        out.sort(Comparator.comparingLong(Silence::endsAtMs).reversed());
        return out;
    }

    private static void write(Config config, String bootstrap, Silence s) {
        Properties p = new Properties();
        p.putAll(KafkaClients.forClient(config, ProducerConfig.configNames()));
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(config.get(AlertKeys.SILENCES_TOPIC), s.id(), s.encode()))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot write the silence to " + config.get(AlertKeys.SILENCES_TOPIC)
                    + ": " + e, e);
        }
    }

    private static Map<String, Silence> read(Config config, String bootstrap) {
        String topic = config.get(AlertKeys.SILENCES_TOPIC);
        Properties p = new Properties();
        p.putAll(KafkaClients.forClient(config, ConsumerConfig.configNames()));
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, Silence> out = new LinkedHashMap<>();
        int[] malformed = {0};
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            CompactedTopic.readAll(c, topic, Duration.ofSeconds(30), (key, value) -> {
                if (value == null) {
                    out.remove(key); // a tombstone
                    return;
                }
                try {
                    Silence s = Silence.decode(value);
                    out.put(s.id(), s);
                } catch (RuntimeException e) {
                    malformed[0]++; // not a silence this version reads: skipped, as the notifier does
                }
            });
        }
        if (malformed[0] > 0) {
            log.warn("{}: {} records that are not silences of a version this Riffle reads were skipped", topic,
                    malformed[0]);
        }
        return out;
    }
}
