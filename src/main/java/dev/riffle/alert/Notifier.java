package dev.riffle.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.riffle.config.Config;
import dev.riffle.config.KafkaClients;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the alerts topic (its own consumer group; at each assignment it reads the compacted topic from the start,
 * which rebuilds the current alerts) and the silences topic, lets the {@link Dispatcher} decide, and delivers on
 * one sender thread per channel, so a receiver that hangs delays only itself and never the evaluator.
 *
 * <p>What each channel was told is written to the compacted deliveries topic right after it took a message, and
 * read back at start: a restart does not repeat what was delivered, and what was not is still owed. A crash
 * between a receiver taking a message and that record leaves one repeat possible (SMTP and HTTP have no
 * transactions with Kafka); nothing is lost.
 */
final class Notifier {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Config config;
    private final String bootstrap;
    private final Dispatcher dispatcher;
    private final Map<String, Channel> channels = new LinkedHashMap<>();
    private final int maxListed;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong transitions = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private volatile boolean running;
    private volatile String summary = "starting";
    private Thread thread;
    private ExecutorService senders;
    private long lastFailureLog;

    Notifier(Config config, String bootstrap, PrintStream stdout) {
        this.config = config;
        this.bootstrap = bootstrap;
        this.maxListed = config.get(AlertKeys.MAX_LISTED);
        List<Receiver> configured = config.get(AlertKeys.RECEIVERS);
        if (configured.isEmpty()) {
            configured = List.of(Receiver.stdoutDefault());
        }
        List<Receiver> perChannel = new ArrayList<>();
        for (Receiver r : configured) {
            // each channel of a receiver is delivered (and retried) on its own: a failing webhook never re-sends mail
            if (r.webhook() != null) {
                perChannel.add(channel(r, "webhook", new WebhookChannel(r.name(), r.webhook(),
                        config.get(AlertKeys.EXTERNAL_URL), maxListed)));
            }
            if (!r.emailTo().isEmpty()) {
                perChannel.add(channel(r, "email", new EmailChannel(config.get(AlertKeys.SMTP_HOST),
                        config.get(AlertKeys.SMTP_PORT), config.get(AlertKeys.SMTP_STARTTLS),
                        config.get(AlertKeys.SMTP_USERNAME), config.get(AlertKeys.SMTP_PASSWORD),
                        r.from() != null ? r.from() : config.get(AlertKeys.SMTP_FROM), r.emailTo(), maxListed)));
            }
            if (r.stdout()) {
                perChannel.add(channel(r, "stdout", new StdoutChannel(stdout, maxListed)));
            }
        }
        this.dispatcher = new Dispatcher(config.get(AlertKeys.RULES), perChannel, config.get(AlertKeys.GROUP_WAIT),
                config.get(AlertKeys.GROUP_INTERVAL), config.get(AlertKeys.REPEAT_INTERVAL),
                config.get(AlertKeys.NOTIFY_MAX_AGE), config.get(AlertKeys.RETRY_MAX),
                config.get(AlertKeys.RATE_LIMIT));
    }

    private Receiver channel(Receiver r, String kind, Channel c) {
        String name = r.name() + "/" + kind;
        channels.put(name, c);
        return new Receiver(name, r.match(), r.webhook(), r.emailTo(), r.from(), r.stdout());
    }

    /** Reads what every channel was told, then starts the loop. */
    void start() {
        loadDeliveries();
        senders = Executors.newFixedThreadPool(channels.size(), r -> {
            Thread t = new Thread(r, "riffle-notify-send");
            t.setDaemon(true);
            return t;
        });
        running = true;
        thread = new Thread(this::loop, "riffle-notifier");
        thread.setDaemon(true);
        thread.start();
    }

    private Properties consumerProps(String group) {
        Properties p = new Properties();
        p.putAll(KafkaClients.forClient(config, ConsumerConfig.configNames()));
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // the evaluator writes transactionally
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        }
        return p;
    }

    private void loadDeliveries() {
        String topic = config.get(AlertKeys.DELIVERIES_TOPIC);
        int[] n = {0};
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerProps(null), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            CompactedTopic.readAll(c, topic, Duration.ofSeconds(60), (key, value) -> {
                if (applyDelivery(key, value)) {
                    n[0]++;
                }
            });
        }
        log.info("notifier: {} deliveries read back from {}", n[0], topic);
    }

    private boolean applyDelivery(String key, byte[] value) {
        int bar = key == null ? -1 : key.indexOf('|');
        if (bar < 0) {
            malformed.incrementAndGet();
            return false;
        }
        if (value == null) { // a tombstone: pruned (see Dispatcher.prune)
            dispatcher.forgetDelivery(key.substring(0, bar), key.substring(bar + 1));
            return false;
        }
        try {
            JsonNode n = JSON.readTree(value);
            if (n.path("v").asInt() != 1) {
                malformed.incrementAndGet();
                return false;
            }
            dispatcher.onDelivered(key.substring(0, bar), key.substring(bar + 1), new Dispatcher.Delivered(
                    n.path("firing").asBoolean(), n.path("starts_at_ms").asLong(), n.path("sent_ms").asLong()));
            return true;
        } catch (java.io.IOException e) {
            malformed.incrementAndGet();
            return false;
        }
    }

    private static byte[] encodeDelivery(Dispatcher.Delivered d) {
        return ("{\"v\":1,\"firing\":" + d.firing() + ",\"starts_at_ms\":" + d.startsAtMs() + ",\"sent_ms\":"
                + d.sentMs() + "}").getBytes(StandardCharsets.US_ASCII);
    }

    private void loop() {
        String alertsTopic = config.get(AlertKeys.TOPIC);
        String silencesTopic = config.get(AlertKeys.SILENCES_TOPIC);
        Properties pp = new Properties();
        pp.putAll(KafkaClients.forClient(config, ProducerConfig.configNames()));
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Map<String, Future<?>> inFlight = new HashMap<>();
        Map<String, Notice> inFlightNotice = new HashMap<>();
        try (KafkaConsumer<String, byte[]> alerts = new KafkaConsumer<>(consumerProps(
                     config.get(AlertKeys.NOTIFIER_GROUP)), new StringDeserializer(), new ByteArrayDeserializer());
             KafkaConsumer<String, byte[]> silences = new KafkaConsumer<>(consumerProps(null),
                     new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> deliveries = new KafkaProducer<>(pp, new StringSerializer(),
                     new ByteArraySerializer())) {
            alerts.subscribe(List.of(alertsTopic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        dispatcher.clearAlerts(); // another notifier owns them now: it tells, this one is quiet
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        // what another notifier delivered until now, then every alert's latest state (compacted)
                        loadDeliveries();
                        alerts.seekToBeginning(partitions);
                    }
                }
            });
            List<TopicPartition> silenceParts = silences.partitionsFor(silencesTopic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(silencesTopic, p.partition())).toList();
            silences.assign(silenceParts);
            silences.seekToBeginning(silenceParts);
            long lastCommit = System.currentTimeMillis();
            long lastDue = 0;
            while (running) {
                boolean changed = false;
                for (ConsumerRecord<String, byte[]> r : alerts.poll(Duration.ofMillis(100))) {
                    changed = true;
                    try {
                        dispatcher.onTransition(TransitionCodec.decode(r.value()), System.currentTimeMillis());
                        transitions.incrementAndGet();
                    } catch (RuntimeException e) {
                        malformed.incrementAndGet();
                    }
                }
                for (ConsumerRecord<String, byte[]> r : silences.poll(Duration.ZERO)) {
                    changed = true;
                    try {
                        dispatcher.onSilence(Silence.decode(r.value()));
                    } catch (RuntimeException e) {
                        malformed.incrementAndGet();
                    }
                }
                long now = System.currentTimeMillis();
                for (var it = inFlight.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getValue().isDone()) {
                        continue;
                    }
                    it.remove();
                    changed = true;
                    Notice n = inFlightNotice.remove(e.getKey());
                    try {
                        e.getValue().get();
                        dispatcher.sent(n, now).forEach((alertKey, d) -> deliveries.send(new ProducerRecord<>(
                                config.get(AlertKeys.DELIVERIES_TOPIC), n.receiver() + "|" + alertKey,
                                encodeDelivery(d))));
                        deliveries.flush();
                        delivered.incrementAndGet();
                        log.info("notified {}: {}", n.receiver(), n.title());
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (java.util.concurrent.ExecutionException ex) {
                        long wait = dispatcher.failed(n, now);
                        failures.incrementAndGet();
                        if (now - lastFailureLog > 10_000) {
                            lastFailureLog = now;
                            log.warn("cannot notify {} ({} failures so far), next try in {} ms: {}", n.receiver(),
                                    failures.get(), wait, ex.getCause().toString());
                        }
                    }
                }
                // the dispatcher looks at every alert: on news, else once a second (its timers are seconds)
                List<Notice> due = changed || now - lastDue >= 1000 ? dispatcher.due(now, inFlight.keySet())
                        : List.of();
                if (changed || now - lastDue >= 1000) {
                    lastDue = now;
                }
                for (Notice n : due) {
                    Channel c = channels.get(n.receiver());
                    inFlightNotice.put(n.receiver(), n);
                    inFlight.put(n.receiver(), senders.submit(() -> {
                        c.send(n);
                        return null;
                    }));
                }
                if (now - lastCommit > 5000) {
                    lastCommit = now;
                    for (String key : dispatcher.prune(now)) {
                        deliveries.send(new ProducerRecord<>(config.get(AlertKeys.DELIVERIES_TOPIC), key, null));
                    }
                    alerts.commitAsync(); // informative only (lag); each start rereads the compacted topic
                }
                summary = "alerts " + dispatcher.alertCount() + " (firing " + dispatcher.firingCount()
                        + "), notices sent " + delivered.get() + ", failed tries " + failures.get()
                        + ", too old " + dispatcher.ignoredOld() + ", malformed " + malformed.get();
            }
        } catch (org.apache.kafka.common.errors.InterruptException | org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("the notifier stopped", e);
            summary = "stopped: " + e;
        }
    }

    long delivered() {
        return delivered.get();
    }

    long failures() {
        return failures.get();
    }

    String status() {
        return summary;
    }

    void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (senders != null) {
            senders.shutdownNow();
        }
    }
}
