package dev.riffle.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several processes creating Riffle's topics at once (compose starts a bridge, N streams and a sink together): a
 * topic another one created between our list and our create must count as created, not fail the start.
 */
class TopicsTest {
    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = new EmbeddedKafka(dir.resolve("kafka"), 0).start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    @Test
    void aTopicCreatedBetweenOurListAndOurCreateCountsAsCreated() throws Exception {
        try (Admin real = admin(); Admin other = admin()) {
            ListTopicsResult before = real.listTopics(); // the list this process saw: no such topic yet
            before.names().get(10, TimeUnit.SECONDS);
            other.createTopics(List.of(new NewTopic("raced", Optional.of(2), Optional.empty()))).all()
                    .get(30, TimeUnit.SECONDS); // another process won the race
            Admin stale = (Admin) Proxy.newProxyInstance(Admin.class.getClassLoader(), new Class<?>[] {Admin.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("listTopics") && (args == null || args.length == 0)) {
                            return before;
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            Topics.createMissing(stale, List.of(new NewTopic("raced", Optional.of(2), Optional.empty())),
                    Duration.ofSeconds(30)); // TopicExistsException inside: no exception out
            Topics.awaitLeaders(real, List.of("raced"), Duration.ofSeconds(30)); // metadata reaches every client
            TopicDescription d = real.describeTopics(List.of("raced")).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get("raced");
            assertEquals(2, d.partitions().size(), "the winner's topic is left as it is");
        }
    }

    @Test
    void eightProcessesEnsuringAtOnceAllSucceed() throws Exception {
        int n = 8;
        for (int round = 0; round < 3; round++) {
            Config config = Config.defaults(CommonKeys.ALL)
                    .with(CommonKeys.EVENTS_TOPIC, "events-" + round)
                    .with(CommonKeys.POINTS_TOPIC, "points-" + round);
            CyclicBarrier start = new CyclicBarrier(n);
            ExecutorService pool = Executors.newFixedThreadPool(n);
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    results.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        Topics.ensure(kafka.bootstrapServers(), config, Duration.ofSeconds(60));
                        return null;
                    }));
                }
                for (Future<?> f : results) {
                    f.get(90, TimeUnit.SECONDS); // throws if any ensure failed
                }
            } finally {
                pool.shutdownNow();
            }
            try (Admin admin = admin()) {
                Set<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
                assertTrue(names.containsAll(List.of("events-" + round, "points-" + round)), names.toString());
            }
        }
    }
}
