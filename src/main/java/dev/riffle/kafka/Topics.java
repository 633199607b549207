package dev.riffle.kafka;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.KafkaClients;
import dev.riffle.core.StartupException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates Riffle's topics when they are missing; existing topics are left exactly as they are. */
public final class Topics {
    private static final Logger log = LoggerFactory.getLogger(Topics.class);

    private Topics() {
    }

    public static void ensure(String bootstrap, Config config, Duration timeout) {
        Properties props = new Properties();
        props.putAll(KafkaClients.forClient(config, AdminClientConfig.configNames()));
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        Optional<Short> replication = config.get(CommonKeys.REPLICATION) < 0
                ? Optional.empty() : Optional.of(config.get(CommonKeys.REPLICATION).shortValue());
        long retentionMs = TimeUnit.HOURS.toMillis(config.get(CommonKeys.EVENTS_RETENTION_HOURS));
        List<NewTopic> wanted = List.of(
                new NewTopic(config.get(CommonKeys.EVENTS_TOPIC),
                        Optional.of(config.get(CommonKeys.EVENTS_PARTITIONS)), replication)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs))),
                // points carry their window start as timestamp; a backfill's old windows would be deleted by
                // retention before the sink reads them, so the points topic keeps time by arrival instead
                new NewTopic(config.get(CommonKeys.POINTS_TOPIC),
                        Optional.of(config.get(CommonKeys.POINTS_PARTITIONS)), replication)
                        .configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")));
        List<String> names = wanted.stream().map(NewTopic::name).toList();
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMs = 100;
        int retries = 0;
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    createMissing(admin, wanted, remaining(deadline));
                    awaitLeaders(admin, names, remaining(deadline));
                    if (retries > 0) {
                        log.info("topics {} ready after {} retries", names, retries);
                    }
                    return;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
                        // not worth retrying: say so in one line (the message names no secret)
                        throw new StartupException("Kafka at " + bootstrap + " refused Riffle: " + cause.getMessage()
                                + "; check kafka.client (security.protocol, sasl.*, ssl.*) or RIFFLE_KAFKA_CLIENT_*");
                    }
                    if (!(cause instanceof RetriableException) || System.nanoTime() > deadline) {
                        throw new IllegalStateException("cannot create Riffle's topics on " + bootstrap + ": " + e, e);
                    }
                    // a broker still starting (no controller yet, a topic being created by another process): the
                    // next round lists again and finds what is there; logged once a retry, which is bounded by time
                    retries++;
                    log.info("topics on {} not ready yet ({}); retrying in {} ms", bootstrap, cause.toString(),
                            backoffMs);
                    Thread.sleep(backoffMs);
                    backoffMs = Math.min(2_000, backoffMs * 2);
                }
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create Riffle's topics on " + bootstrap + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    private static Duration remaining(long deadline) throws TimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new TimeoutException("Riffle's topics are not ready in time");
        }
        return Duration.ofNanos(left);
    }

    /**
     * Lists the topics and creates the missing ones. Several processes (a bridge, N streams and a sink starting at
     * once) race here: a topic another one created between our list and our create is a TopicExistsException,
     * which is what we wanted (it exists) and not an error.
     */
    static void createMissing(Admin admin, List<NewTopic> wanted, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<NewTopic> missing = new ArrayList<>();
        for (NewTopic t : wanted) {
            if (!existing.contains(t.name())) {
                missing.add(t);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        List<String> created = new ArrayList<>();
        List<String> byOthers = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> f : admin.createTopics(missing).values().entrySet()) {
            try {
                f.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                created.add(f.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                byOthers.add(f.getKey());
            }
        }
        if (!created.isEmpty()) {
            log.info("created topics {}", created);
        }
        if (!byOthers.isEmpty()) {
            log.info("topics {} were created by another process meanwhile", byOthers);
        }
    }

    /**
     * Waits until every partition of the topics has a leader: a topic is usable only then. Producing earlier makes
     * an idempotent producer retry NOT_LEADER_OR_FOLLOWER and, under load, stall on out-of-order sequence numbers.
     * Right after creation the topic may not even be known yet, which is retried too.
     */
    public static void awaitLeaders(Admin admin, List<String> topics, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (described.values().stream().allMatch(d -> d.partitions().stream()
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty()))) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + topics + " have no leader after " + timeout);
            }
            Thread.sleep(50);
        }
    }
}
