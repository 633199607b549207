package dev.riffle.sink;

import static dev.riffle.sink.SinkFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.CommonKeys;
import dev.riffle.core.GraphiteNames;
import dev.riffle.core.Point;
import dev.riffle.core.PointTarget;
import dev.riffle.core.SeriesId;
import dev.riffle.testing.WithKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seam for a second durable backend: a target that is not carbon, given through the sink's target list, gets
 * every point; when it fails the sink rewinds and delivers again, and nothing is committed past what it confirmed.
 * Without carbon ({@code graphite none}), so this target alone holds the commits back.
 */
@Tag("slow")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DurableTargetTest extends WithKafka {
    private static final int PATHS = 100;

    /** A durable backend in memory that can fail on demand: while failing, its flushes fail and it stays down. */
    private static final class Flaky implements PointTarget {
        private final List<String> buffer = new ArrayList<>();
        final Map<String, Double> stored = new HashMap<>();
        final Map<String, Integer> accepted = new HashMap<>();
        boolean failing;
        boolean down;
        int failedFlushes;
        int commits;

        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public boolean durable() {
            return true;
        }

        @Override
        public synchronized boolean accept(SeriesId series, Point point) {
            String path = GraphiteNames.of(series);
            if (buffer.size() == 16) {
                return false; // full: the sink flushes and offers it again
            }
            String key = path + " " + point.timestampSeconds();
            buffer.add(key + " " + point.value());
            accepted.merge(key, 1, Integer::sum);
            return true;
        }

        @Override
        public synchronized boolean flush() {
            if (failing) {
                buffer.clear();
                down = true;
                failedFlushes++;
                return false;
            }
            for (String line : buffer) {
                int value = line.lastIndexOf(' ');
                stored.put(line.substring(0, value), Double.parseDouble(line.substring(value + 1)));
            }
            buffer.clear();
            return true;
        }

        @Override
        public synchronized boolean ready() {
            down = down && failing;
            return !down;
        }

        @Override
        public long millisUntilRetry() {
            return 50;
        }

        @Override
        public long commitDelayMillis() {
            return 300;
        }

        @Override
        public synchronized boolean confirm() {
            return !down;
        }

        @Override
        public synchronized void committed() {
            commits++;
        }

        synchronized int stored(long time) {
            return (int) stored.keySet().stream().filter(k -> k.endsWith(" " + time)).count();
        }

        synchronized boolean acceptedAgain(long time) {
            return accepted.entrySet().stream().anyMatch(e -> e.getKey().endsWith(" " + time) && e.getValue() > 1);
        }

        synchronized void failing(boolean on) {
            failing = on;
        }

        synchronized int failedFlushes() {
            return failedFlushes;
        }
    }

    /** Counts what an at-most-once target is handed, per path and time. */
    private static final class Once implements PointTarget {
        final Map<String, Integer> seen = new HashMap<>();

        @Override
        public String name() {
            return "once";
        }

        @Override
        public synchronized boolean accept(SeriesId series, Point point) {
            String path = GraphiteNames.of(series);
            seen.merge(path + " " + point.timestampSeconds(), 1, Integer::sum);
            return true;
        }

        synchronized int size() {
            return seen.size();
        }

        synchronized boolean eachOnce() {
            return seen.values().stream().allMatch(n -> n == 1);
        }
    }

    @Test
    void aFailingDurableTargetIsRewoundAndHoldsTheCommitBack() throws Exception {
        run(false);
    }

    @Test
    void withAnAtMostOnceTargetTheSinkReadsOnAndRewindsOnlyForTheDurableOne() throws Exception {
        run(true);
    }

    private void run(boolean withOnce) throws Exception {
        Flaky flaky = new Flaky();
        Once once = new Once();
        try (SinkFixture f = new SinkFixture(kafka.bootstrapServers());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            f.with(SinkKeys.GRAPHITE, "none");
            GraphiteSink sink = f.startSink(withOnce ? List.of(once, flaky) : List.of(flaky));
            long t = SinkFixture.windowsAgo(3);
            send(f, t);
            assertTrue(await(() -> flaky.stored(t) == PATHS, Duration.ofSeconds(30)), sink.status());
            assertTrue(await(() -> committed(admin, f) == PATHS, Duration.ofSeconds(15)), "committed once stored");

            // the target fails its next flush and stays down: nothing more is stored or committed
            flaky.failing(true);
            send(f, t + 5);
            assertTrue(await(() -> flaky.failedFlushes() > 0, Duration.ofSeconds(15)), sink.status());
            Thread.sleep(1_000); // more than the commit delay, with several polls while it is down
            assertEquals(0, flaky.stored(t + 5));
            assertEquals(PATHS, committed(admin, f), "nothing past what the target confirmed");
            assertTrue(sink.running(), sink.status());
            if (withOnce) { // the at-most-once target got the new points during the outage, once
                assertTrue(await(() -> once.size() == 2 * PATHS, Duration.ofSeconds(15)), sink.status());
            }

            // back: the sink rewinds to the last commit and delivers what the failed flush lost again
            flaky.failing(false);
            assertTrue(await(() -> flaky.stored(t + 5) == PATHS, Duration.ofSeconds(30)), sink.status());
            assertTrue(await(() -> committed(admin, f) == 2 * PATHS, Duration.ofSeconds(15)), sink.status());
            assertTrue(flaky.acceptedAgain(t + 5), "the points of the failed flush were delivered again");
            assertEquals(2 * PATHS, sink.pointsWritten(), sink.status());
            if (withOnce) {
                assertEquals(2 * PATHS, once.size());
                assertTrue(once.eachOnce(), once.seen.toString());
            }
        }
    }

    private static void send(SinkFixture f, long time) {
        for (int i = 0; i < PATHS; i++) {
            f.send("production.box" + i + ".foo.rate-per-second", i, time);
        }
        f.flush();
    }

    /** The group's committed offsets summed over the three partitions (no transactions: one offset per record). */
    private static long committed(Admin admin, SinkFixture f) {
        String topic = f.config().get(CommonKeys.POINTS_TOPIC);
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(
                    f.config().get(SinkKeys.GROUP_ID)).partitionsToOffsetAndMetadata().get();
            long sum = 0;
            for (int p = 0; p < 3; p++) {
                OffsetAndMetadata o = offsets.get(new TopicPartition(topic, p));
                sum += o == null ? 0 : o.offset();
            }
            return sum;
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
