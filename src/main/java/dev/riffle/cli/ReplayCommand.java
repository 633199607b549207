package dev.riffle.cli;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigException;
import dev.riffle.config.KafkaClients;
import dev.riffle.sink.GraphiteSink;
import dev.riffle.sink.PrometheusTarget;
import dev.riffle.sink.SinkKeys;
import dev.riffle.topology.StreamsApp;
import dev.riffle.topology.TopologyKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code riffle replay}: reprocesses a range of the events topic and writes its points again (a backfill), or
 * with {@code --points} re-sends what the points topic holds for a range.
 *
 * <p>Events: the same topology under its own application id ({@code <application_id>-replay-<time>}), reading
 * the events topic from the offsets a window and the grace before {@code --from} (so the first window is whole),
 * writing the points of the windows in the range to a temporary points topic of its own, from which the same
 * sink code writes them to Graphite (and stdout). Because windows close on the bridges' ticks, which the topic
 * keeps, it closes the same windows with the same points as the live run. It stops by itself once every task
 * has closed the last window of the range and the sink has written everything, then deletes its topics, groups
 * and local state, also after Ctrl-C. The live application is never touched.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Backfill Graphite: reprocess a range of the events topic with the same topology (its own "
                + "application id and topics, deleted afterwards) and write its points again; with --points, "
                + "re-send what the points topic holds for the range. T is ISO-8601 (2026-11-25T10:00:00Z), "
                + "@<unix seconds>, or a duration back from now (90m, 2h, 1d).")
final class ReplayCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ReplayCommand.class);
    private static final Pattern AGO = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    @Mixin
    Settings settings = new Settings();

    @Option(names = "--from", required = true, paramLabel = "T", description = "start of the range")
    String from;

    @Option(names = "--to", paramLabel = "T", description = "end of the range (default: now)")
    String to;

    @Option(names = "--dry-run", description = "say what would be read, and stop")
    boolean dryRun;

    @Option(names = "--points", description = "re-send the points topic's points of the range instead (for points "
            + "carbon dropped)")
    boolean points;

    /** How long the replay may take at most before it gives up (also bounds every wait). */
    static final Duration MAX_RUN = Duration.ofHours(6);

    /** A time as the command takes it: ISO-8601, @seconds, or a duration back from {@code now}. */
    static long parseTime(String text, long nowMs, String option) {
        String t = text.trim();
        try {
            if (t.startsWith("@")) {
                return Long.parseLong(t.substring(1)) * 1000L;
            }
            Matcher m = AGO.matcher(t);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                long unit = switch (m.group(2)) {
                    case "ms" -> 1;
                    case "s" -> 1_000;
                    case "m" -> 60_000;
                    case "h" -> 3_600_000;
                    default -> 86_400_000;
                };
                return nowMs - n * unit;
            }
            return Instant.parse(t).toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new ConfigException(option + ": got '" + text + "', expected ISO-8601 (2026-11-25T10:00:00Z), "
                    + "@<unix seconds> or a duration back from now (90m, 2h, 1d)");
        }
    }

    @Override
    public Integer call() throws Exception {
        Config config = settings.load();
        long now = System.currentTimeMillis();
        long fromMs = parseTime(from, now, "--from");
        long toMs = to == null ? now : parseTime(to, now, "--to");
        if (fromMs >= toMs) {
            throw new ConfigException("--from must be before --to (got " + Instant.ofEpochMilli(fromMs) + " and "
                    + Instant.ofEpochMilli(toMs) + ")");
        }
        long windowMs = config.get(CommonKeys.WINDOW_SECONDS) * 1000L;
        long first = Math.floorDiv(fromMs, windowMs) * windowMs;
        long last = Math.floorDiv(toMs, windowMs) * windowMs;
        try (Pipeline pipeline = new Pipeline(config)) {
            String bootstrap = pipeline.connect(false);
            Map<String, Object> adminProps = new HashMap<>(KafkaClients.forClient(config,
                    AdminClientConfig.configNames()));
            adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (Admin admin = Admin.create(adminProps)) {
                return points ? replayPoints(config, admin, bootstrap, first, last)
                        : replayEvents(config, admin, bootstrap, first, last, windowMs);
            }
        }
    }

    /** Start offsets of every partition of {@code topic} for {@code timeMs}; exit 2 when it is before retention. */
    private static Map<TopicPartition, Long> offsetsFor(Admin admin, String topic, long timeMs, long slackMs)
            throws Exception {
        int n = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().size();
        Map<TopicPartition, OffsetSpec> at = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        for (int p = 0; p < n; p++) {
            at.put(new TopicPartition(topic, p), OffsetSpec.forTimestamp(timeMs));
            earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
        }
        var found = admin.listOffsets(at).all().get(30, TimeUnit.SECONDS);
        var begin = admin.listOffsets(earliest).all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : at.keySet()) {
            long offset = found.get(tp).offset();
            long firstTimestamp = found.get(tp).timestamp();
            // the first record at or after the time is the oldest one kept, and much later: the range is gone
            if (offset >= 0 && offset == begin.get(tp).offset() && firstTimestamp - timeMs > slackMs) {
                throw new ConfigException("--from " + Instant.ofEpochMilli(timeMs) + " is before the oldest record "
                        + topic + " still holds in partition " + tp.partition() + " ("
                        + Instant.ofEpochMilli(firstTimestamp) + "): outside the topic's retention");
            }
            out.put(tp, offset); // -1: nothing at or after the time (yet): start at the end
        }
        return out;
    }

    private int replayEvents(Config config, Admin admin, String bootstrap, long first, long last, long windowMs)
            throws Exception {
        long graceMs = config.get(CommonKeys.GRACE_MS);
        String events = config.get(CommonKeys.EVENTS_TOPIC);
        // a window and the grace early, so the first window of the range is whole; ticks every window make the slack
        Map<TopicPartition, Long> start = offsetsFor(admin, events, first - windowMs - graceMs, 2 * windowMs);
        String id = config.get(TopologyKeys.APPLICATION_ID) + "-replay-" + System.currentTimeMillis() / 1000;
        long records = 0;
        var ends = admin.listOffsets(toSpec(start, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> endAtStart = new HashMap<>();
        for (var e : start.entrySet()) {
            long end = ends.get(e.getKey()).offset();
            long begin = e.getValue() < 0 ? end : e.getValue();
            records += Math.max(0, end - begin);
            e.setValue(begin);
            endAtStart.put(e.getKey(), end);
        }
        System.out.println("replay " + id + ": windows " + Instant.ofEpochMilli(first) + " to "
                + Instant.ofEpochMilli(last) + " (" + ((last - first) / windowMs + 1) + " windows), " + start.size()
                + " partitions of " + events + ", reading from " + Instant.ofEpochMilli(first - windowMs - graceMs)
                + ", at most " + records + " records to the end of the topic");
        if (dryRun) {
            return 0;
        }
        String pointsTopic = id + "-points";
        Config replay = config.with(TopologyKeys.APPLICATION_ID, id).with(CommonKeys.POINTS_TOPIC, pointsTopic)
                .with(SinkKeys.GROUP_ID, id + "-sink")
                .with(SinkKeys.SELF_METRICS, "false"); // the replay's own figures are not the live sink's
        Path state = Files.createTempDirectory("riffle-replay-");
        int replication = config.get(CommonKeys.REPLICATION);
        admin.createTopics(List.of(new NewTopic(pointsTopic, java.util.Optional.of(1), replication < 0
                ? java.util.Optional.empty() : java.util.Optional.of((short) replication)))).all()
                .get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        start.forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
        admin.alterConsumerGroupOffsets(id, commit).all().get(30, TimeUnit.SECONDS);

        StreamsApp streams = new StreamsApp(replay, bootstrap, Map.of(
                org.apache.kafka.streams.StreamsConfig.STATE_DIR_CONFIG, state.toString()))
                .pointRange(first, last);
        GraphiteSink sink = new GraphiteSink(replay, bootstrap, System.out, PrometheusTarget.configured(replay));
        Thread cleanup = new Thread(() -> cleanUp(admin, id, pointsTopic, streams, sink, state), "riffle-replay-end");
        cleaned.set(false);
        Runtime.getRuntime().addShutdownHook(cleanup);
        long t0 = System.nanoTime();
        boolean done = false;
        try {
            sink.start();
            streams.start();
            long lastLine = 0;
            long deadline = System.nanoTime() + MAX_RUN.toNanos();
            while (System.nanoTime() < deadline) {
                long closed = streams.closedThrough();
                double share = closed == Long.MIN_VALUE ? 0 : Math.min(1, Math.max(0,
                        (double) (closed - first) / (last + windowMs - first)));
                if (System.nanoTime() - lastLine > 2_000_000_000L) {
                    lastLine = System.nanoTime();
                    double secs = (lastLine - t0) / 1e9;
                    long read = streams.counters().eventsProcessed();
                    System.err.printf("replay: %d events read, %.0f%% of the range, %.0f events/s, ETA %s%n", read,
                            share * 100, read / Math.max(secs, 0.001),
                            share <= 0 ? "?" : Math.round(secs / share - secs) + " s");
                }
                // done: every window of the range closed, or everything the topic held at the start read (windows
                // no tick has passed yet are still open, in the live run too) and written
                if ((closed > last || readAll(admin, id, endAtStart)) && sinkCaughtUp(admin, id + "-sink",
                        pointsTopic)) {
                    done = true;
                    if (closed <= last) {
                        System.out.println("replay: windows from " + Instant.ofEpochMilli(Math.max(first, closed))
                                + " on are still open in the events topic (no bridge's tick has passed them yet)");
                    }
                    break;
                }
                Thread.sleep(200);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("replay %s: %s; %d events read, %d points written, %d windows, %.1f s%n", id,
                    done ? "done" : "gave up after " + MAX_RUN, streams.counters().eventsProcessed(),
                    sink.pointsWritten(), (last - first) / windowMs + 1, secs);
            return done ? 0 : 1;
        } finally {
            cleanUp(admin, id, pointsTopic, streams, sink, state);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook runs (and finds everything done)
            }
        }
    }

    /** Whether the replay's topology has committed offsets at or past the ends the topic had at the start. */
    private static boolean readAll(Admin admin, String group, Map<TopicPartition, Long> ends) {
        try {
            var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            for (var e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                if (e.getValue() > 0 && (c == null || c.offset() < e.getValue())) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Whether the sink's group has committed everything of the replay's points topic. */
    private static boolean sinkCaughtUp(Admin admin, String group, String topic) {
        try {
            var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            TopicPartition tp = new TopicPartition(topic, 0);
            long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(10, TimeUnit.SECONDS).get(tp)
                    .offset();
            OffsetAndMetadata c = committed.get(tp);
            return end > 0 && c != null && c.offset() >= end;
        } catch (Exception e) {
            return false;
        }
    }

    private int replayPoints(Config config, Admin admin, String bootstrap, long first, long last) throws Exception {
        String topic = config.get(CommonKeys.POINTS_TOPIC);
        // the points topic keeps the time of writing (LogAppendTime): a window's points were written after it
        Map<TopicPartition, Long> start = offsetsFor(admin, topic, first, Long.MAX_VALUE);
        var ends = admin.listOffsets(toSpec(start, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS);
        String group = config.get(SinkKeys.GROUP_ID) + "-replay-" + System.currentTimeMillis() / 1000;
        long records = 0;
        Map<TopicPartition, Long> endOffsets = new HashMap<>();
        for (var e : start.entrySet()) {
            long begin = e.getValue() < 0 ? ends.get(e.getKey()).offset() : e.getValue();
            e.setValue(begin);
            endOffsets.put(e.getKey(), ends.get(e.getKey()).offset());
            records += ends.get(e.getKey()).offset() - begin;
        }
        System.out.println("replay of points written since " + Instant.ofEpochMilli(first) + ": " + records
                + " records (batches of points) in " + start.size() + " partitions of " + topic + ", group " + group);
        if (dryRun) {
            return 0;
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        start.forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
        admin.alterConsumerGroupOffsets(group, commit).all().get(30, TimeUnit.SECONDS);
        Config replay = config.with(SinkKeys.GROUP_ID, group).with(SinkKeys.SELF_METRICS, "false");
        GraphiteSink sink = new GraphiteSink(replay, bootstrap, System.out, PrometheusTarget.configured(replay));
        long t0 = System.nanoTime();
        try {
            sink.start();
            long deadline = System.nanoTime() + MAX_RUN.toNanos();
            // a record holds many points: done when the sink's group has committed up to the ends of the start
            boolean done = false;
            while (System.nanoTime() < deadline && !(done = readAll(admin, group, endOffsets))) {
                Thread.sleep(200);
            }
            System.out.printf("replay of points: %d points written in %.1f s%n", sink.pointsWritten(),
                    (System.nanoTime() - t0) / 1e9);
            return done ? 0 : 1;
        } finally {
            sink.close();
            admin.deleteConsumerGroups(List.of(group));
        }
    }

    private static <V> Map<TopicPartition, OffsetSpec> toSpec(Map<TopicPartition, V> partitions, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> out = new HashMap<>();
        partitions.keySet().forEach(tp -> out.put(tp, spec));
        return out;
    }

    private final java.util.concurrent.atomic.AtomicBoolean cleaned = new java.util.concurrent.atomic.AtomicBoolean();

    /** Stops the replay's stages and deletes its topics, groups and local state; runs once. */
    private void cleanUp(Admin admin, String id, String pointsTopic, StreamsApp streams, GraphiteSink sink,
                         Path state) {
        if (cleaned.getAndSet(true)) {
            return;
        }
        try {
            sink.close();
        } catch (RuntimeException e) {
            log.warn("closing the replay's sink: {}", e.toString());
        }
        try {
            streams.close();
            streams.cleanUp();
        } catch (RuntimeException e) {
            log.warn("closing the replay's topology: {}", e.toString());
        }
        List<String> topics = new ArrayList<>(List.of(pointsTopic, id + "-fleet-partials-repartition",
                id + "-host-windows-changelog", id + "-fleet-windows-changelog"));
        try {
            admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("deleting the replay's topics {}: {}", topics, e.toString());
        }
        try {
            admin.deleteConsumerGroups(List.of(id, id + "-sink")).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("deleting the replay's consumer groups: {}", e.toString());
        }
        try (var files = Files.walk(state)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            log.warn("deleting the replay's state {}: {}", state, e.toString());
        }
    }
}
