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
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
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
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (NewTopic t : wanted) {
                if (!existing.contains(t.name())) {
                    missing.add(t);
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                log.info("created topics {}", missing.stream().map(NewTopic::name).toList());
            }
            awaitLeaders(admin, wanted.stream().map(NewTopic::name).toList(), timeout);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException || e.getCause() instanceof AuthorizationException) {
                // not worth retrying: say so in one line (the message names no secret)
                throw new StartupException("Kafka at " + bootstrap + " refused Riffle: " + e.getCause().getMessage()
                        + "; check kafka.client (security.protocol, sasl.*, ssl.*) or RIFFLE_KAFKA_CLIENT_*");
            }
            throw new IllegalStateException("cannot create Riffle's topics on " + bootstrap + ": " + e, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create Riffle's topics on " + bootstrap + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
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
