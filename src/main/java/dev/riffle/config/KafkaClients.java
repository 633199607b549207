package dev.riffle.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka client settings a user passes through to every producer, consumer, admin and Streams client Riffle
 * makes, so that it can reach a secured cluster (TLS, SASL): {@code kafka.client_file} (a properties file, where
 * secrets can live), then {@code kafka.client}, then one {@code RIFFLE_KAFKA_CLIENT_<NAME>} variable per setting.
 * Settings Riffle itself relies on for correctness (idempotence, isolation, serialisation, group ids) are refused.
 * Values are never logged: Kafka's own client logs hide password-type settings such as sasl.jaas.config.
 */
public final class KafkaClients {
    /** Riffle sets these itself: changing them would break exactly-once, ordering or decoding. */
    static final Set<String> RIFFLE_OWNS = Set.of("bootstrap.servers", "acks", "enable.idempotence",
            "max.in.flight.requests.per.connection", "isolation.level", "key.serializer", "value.serializer",
            "key.deserializer", "value.deserializer", "group.id", "enable.auto.commit", "transactional.id",
            "application.id", "processing.guarantee");

    private KafkaClients() {
    }

    /** Every passed-through setting; checks them (exit 2 for a setting Riffle owns or an unreadable file). */
    public static Map<String, Object> settings(Config config) {
        Map<String, Object> out = new LinkedHashMap<>();
        String file = config.get(CommonKeys.KAFKA_CLIENT_FILE);
        if (!file.isBlank()) {
            Properties p = new Properties();
            try (Reader in = Files.newBufferedReader(Path.of(file))) {
                p.load(in);
            } catch (IOException e) {
                throw new ConfigException(CommonKeys.KAFKA_CLIENT_FILE.name() + ": cannot read " + file + " ("
                        + e.getMessage() + ")");
            }
            p.forEach((k, v) -> out.put(k.toString(), v.toString()));
        }
        out.putAll(config.get(CommonKeys.KAFKA_CLIENT));
        for (String key : out.keySet()) {
            if (RIFFLE_OWNS.contains(key)) {
                throw new ConfigException(CommonKeys.KAFKA_CLIENT.name() + ": '" + key + "' is set by Riffle itself"
                        + (key.equals("bootstrap.servers") ? "; use " + CommonKeys.KAFKA_BOOTSTRAP.name() : "")
                        + " and cannot be passed through");
            }
        }
        return out;
    }

    /** The settings a client of one kind knows ({@code ProducerConfig.configNames()} and the like). */
    public static Map<String, Object> forClient(Config config, Collection<String> known) {
        Map<String, Object> out = new LinkedHashMap<>(settings(config));
        out.keySet().retainAll(known);
        return out;
    }

    /**
     * The base of a producer whose records must keep their order per partition through retries (the bridge's
     * events, the sink's own figures): String keys and byte[] values, acks=all, idempotent, one request in flight.
     */
    public static Properties orderedProducer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // acks=all keeps idempotence on: with acks=1 a retried batch can be reordered and its events judged late
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // one request in flight: with five, a first batch refused by a partition whose leader was still moving in
        // (a topic just created) was overtaken by later ones, and its retry then failed with OUT_OF_ORDER_SEQUENCE
        // until the delivery timeout, stalling that partition for two minutes (seen here, Kafka 4.4)
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return p;
    }
}
