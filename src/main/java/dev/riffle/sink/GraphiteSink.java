package dev.riffle.sink;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.KafkaClients;
import dev.riffle.core.EventCodec;
import dev.riffle.core.GraphitePath;
import dev.riffle.core.GraphiteNames;
import dev.riffle.core.PointTarget;
import dev.riffle.core.PointsCodec;
import dev.riffle.core.PointsCodec.SeriesPoint;
import dev.riffle.core.Stage;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink stage's entry point: the points consumer. It reads points from Kafka, decodes and checks them (counting
 * what it skips), and delivers them to its targets ({@link PointTarget}): the durable ones (carbon, {@link
 * CarbonTarget}) get every point, in batches flushed every {@code flush_ms}; the at-most-once ones (stdout with
 * {@code print_points}, the graphs page's recent store) get each record once, the first time it is read, and never
 * make the sink wait or rewind.
 *
 * <p>Nothing is lost while a durable target is down: offsets are committed only after a batch was flushed to every
 * durable target and each confirmed it for its commit delay (carbon: every connection stayed open). When one fails
 * the sink pauses its partitions, keeps polling so it stays in the consumer group, rewinds to the last commit, and
 * waits for the target to be ready again (carbon reconnects with a capped backoff); the lag grows meanwhile, and
 * everything since the last commit is delivered again once every durable target is back (they are idempotent per
 * path and time). With at-most-once targets it reads on during the outage for them only, and rewinds for the
 * durable ones when every one is back.
 *
 * <p>One thread does all the work (Kafka's consumer is single-threaded); other threads only read volatile
 * figures through {@link #status()}.
 */
public final class GraphiteSink implements Stage {
    private static final Logger log = LoggerFactory.getLogger(GraphiteSink.class);

    private final Config config;
    private final String bootstrap;
    /** carbon, also for the status line and the sink's own figures; among {@link #durable} unless graphite none */
    private final CarbonTarget carbon;
    /** the sink's own figures (with carbon and {@code sink.self_metrics}), else null */
    private final SelfMetrics self;
    /** writes {@link #self}'s points to the points topic, from where every target reads them; null without */
    private volatile SelfPublisher selfPublisher;
    /** the targets that must see every point: the sink rewinds for them */
    private final List<PointTarget> durable;
    /** the targets handed every record once */
    private final List<PointTarget> others;
    /** with at-most-once targets, the sink reads on for them while a durable target is down */
    private final boolean readsAhead;
    private final OffsetLedger ledger = new OffsetLedger();
    private final SkippedPoints skipped = new SkippedPoints();
    /** Graphite's name mapper, carbon-safe, for carbon and stdout */
    private final GraphiteNames names = new GraphiteNames();
    private final Map<TopicPartition, Long> seenUntil = new HashMap<>();
    private final Delivered delivered = new Delivered();
    private final long flushNanos;
    private final long commitDelayNanos;
    private final LongAdder pointsWritten = new LongAdder();
    private volatile long lag = -1;
    private volatile double pointsPerSecond;
    private volatile boolean running;
    private volatile boolean failed;
    /** every durable target was ready at the top of the loop and none failed since */
    private boolean up;
    /** while not {@link #up}: when the first durable target that is down wants to be asked again */
    private long retryMillis;
    private boolean paused;
    private boolean readingAhead;
    private long lastRateMillis;
    private long lastRateWritten;
    /** how often the lag is measured: once a window of the sink's own figures unless {@link #lagEvery} says more */
    private volatile long lagEveryMillis = SelfMetrics.WINDOW_SECONDS * 1000L;
    private long lastLagMillis;
    private long targetFailures;
    private long lastTargetFailureLog;
    private KafkaConsumer<String, byte[]> consumer;
    private volatile Thread thread;

    /** @param printTo where {@code print_points} writes lines (stdout in the CLI) */
    public GraphiteSink(Config config, String bootstrap, PrintStream printTo) {
        this(config, bootstrap, printTo, List.of());
    }

    /**
     * @param printTo where {@code print_points} writes lines (stdout in the CLI)
     * @param targets more targets besides carbon and stdout, such as the graphs page's recent store; durable ones
     *     get every point as carbon does
     */
    public GraphiteSink(Config config, String bootstrap, PrintStream printTo, List<PointTarget> targets) {
        this.config = config;
        this.bootstrap = bootstrap;
        this.carbon = new CarbonTarget(config, names);
        this.self = carbon.size() == 0 || !config.get(SinkKeys.SELF_METRICS) ? null
                : new SelfMetrics(config.get(CommonKeys.SELF_HOST), config.get(SinkKeys.INSTANCE));
        List<PointTarget> all = new ArrayList<>();
        if (carbon.size() > 0) {
            all.add(carbon);
        }
        if (config.get(SinkKeys.PRINT_POINTS)) {
            String selfPrefix = GraphitePath.of(config.get(CommonKeys.SELF_HOST), "") + ".";
            all.add(new StdoutTarget(printTo, config.get(SinkKeys.PRINT_SELF) ? null : selfPrefix, names));
        }
        all.addAll(targets);
        this.durable = all.stream().filter(PointTarget::durable).toList();
        this.others = all.stream().filter(t -> !t.durable()).toList();
        this.readsAhead = !this.others.isEmpty();
        this.flushNanos = config.get(SinkKeys.FLUSH_MS) * 1_000_000L;
        // without a durable target there is nothing that could still lose a written batch
        this.commitDelayNanos = durable.stream().mapToLong(PointTarget::commitDelayMillis).max().orElse(0)
                * 1_000_000L;
    }

    @Override
    public String name() {
        return "sink";
    }

    @Override
    public void start() {
        Properties p = new Properties();
        p.putAll(KafkaClients.forClient(config, ConsumerConfig.configNames()));
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.get(SinkKeys.GROUP_ID));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        // the topology writes points in transactions: only read what was committed
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // a sink that crashed holds its partitions until its session times out (45 s by default): keep that short,
        // as the topology does; the sink polls on through carbon outages, so it never misses a heartbeat
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
        consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of(config.get(CommonKeys.POINTS_TOPIC)), new Rebalance());
        if (self != null) {
            selfPublisher = new SelfPublisher(config, bootstrap, config.get(CommonKeys.POINTS_TOPIC), self.instance());
        }
        running = true;
        thread = new Thread(this::run, "riffle-sink");
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                up = allReady();
                pauseOrResume(up);
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(pollMillis(up)));
                for (TopicPartition tp : records.partitions()) {
                    ledger.seen(tp, records.records(tp).get(0).offset());
                }
                if (!up) {
                    if (readsAhead) {
                        readAhead(records);
                    } else if (!records.isEmpty()) {
                        rewind(); // fetched just before the pause took effect: read them again later
                    }
                } else if (append(records) && (!delivered.due(flushNanos) || flush())) {
                    if (allConfirm()) {
                        commitConfirmed();
                    } else {
                        onFailure();
                    }
                }
                everyWindow();
            }
        } catch (InterruptException e) {
            // the thread was interrupted: stop like close()
        } catch (RuntimeException e) {
            failed = true;
            log.error("sink stopped", e);
        } finally {
            finish();
            carbon.close();
            consumer.close(Duration.ofSeconds(5));
            if (selfPublisher != null) {
                selfPublisher.close();
            }
        }
    }

    /** Asks every durable target (each may reconnect now); true when all are ready. */
    private boolean allReady() {
        boolean ready = true;
        retryMillis = Long.MAX_VALUE;
        for (PointTarget t : durable) {
            if (!t.ready()) {
                ready = false;
                retryMillis = Math.min(retryMillis, t.millisUntilRetry());
            }
        }
        return ready;
    }

    /** Every durable target still holds what it was flushed; false when one lost it. */
    private boolean allConfirm() {
        boolean ok = true;
        for (PointTarget t : durable) {
            ok &= t.confirm();
        }
        return ok;
    }

    private long pollMillis(boolean up) {
        if (!up) {
            return Math.max(10, Math.min(500, retryMillis));
        }
        return Math.max(1, Math.min(100, delivered.nanosUntilDue(flushNanos) / 1_000_000));
    }

    /**
     * While a durable target is down nothing is fetched, but polling goes on so that the group keeps this member.
     * With at-most-once targets the sink reads on for them instead, and goes back to the last commit for the durable
     * ones once every one is up again.
     */
    private void pauseOrResume(boolean up) {
        if (!up && !readsAhead) {
            consumer.pause(consumer.assignment());
            paused = true;
            return;
        }
        if (paused) {
            consumer.resume(consumer.paused());
            paused = false;
        }
        if (!up) {
            readingAhead = true;
        } else if (readingAhead) {
            readingAhead = false;
            rewind();
        }
    }

    /** A durable target is down: the at-most-once targets still get each point once, as it arrives. */
    private void readAhead(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (r.offset() >= seenUntil.getOrDefault(tp, -1L)) {
                for (SeriesPoint p : points(r, true)) {
                    deliver(p);
                }
                seenUntil.put(tp, r.offset() + 1);
            }
        }
        flushOthers();
    }

    private void deliver(SeriesPoint p) {
        for (PointTarget t : others) {
            try {
                t.accept(p.id(), p.point());
            } catch (RuntimeException e) {
                targetFailed(t, e);
            }
        }
    }

    private void flushOthers() {
        for (PointTarget t : others) {
            try {
                t.flush();
            } catch (RuntimeException e) {
                targetFailed(t, e);
            }
        }
    }

    /** An at-most-once target's bug must not stop the durable ones: counted, logged at most once a minute. */
    private void targetFailed(PointTarget t, RuntimeException e) {
        targetFailures++;
        long now = System.currentTimeMillis();
        if (now - lastTargetFailureLog >= 60_000) {
            lastTargetFailureLog = now;
            log.warn("target {} failed ({} failures so far): {}", t.name(), targetFailures, e.toString());
        }
    }

    /**
     * Hands each record's points to the durable targets, flushing whenever one is full; false after a failure (then
     * the record comes round again whole after the rewind: the targets are idempotent per series and time).
     */
    private boolean append(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            // printing and counting happen once per record, however often an outage makes it come round
            boolean firstTime = r.offset() >= seenUntil.getOrDefault(tp, -1L);
            // (a failure in the middle of a record brings it round whole: its skipped points are counted again)
            List<SeriesPoint> points = points(r, firstTime);
            for (SeriesPoint p : points) {
                for (PointTarget t : durable) {
                    while (!t.accept(p.id(), p.point())) {
                        if (!flush()) {
                            return false;
                        }
                    }
                }
            }
            if (firstTime) {
                points.forEach(this::deliver); // once every durable target took the whole record
            }
            delivered.record(tp, r.offset(), points.size());
            if (firstTime) {
                seenUntil.put(tp, r.offset() + 1); // only now: a failed flush above brings the record round again
            }
        }
        return true;
    }

    /**
     * The record's points that carbon can store (each skipped one counted when {@code count}): none of a record
     * that is not a points record this Riffle reads, and of a clock record (the alert stage's time, nothing to
     * write).
     */
    private List<SeriesPoint> points(ConsumerRecord<String, byte[]> r, boolean count) {
        PointsCodec.Contents contents;
        try {
            contents = PointsCodec.decode(r.value());
        } catch (EventCodec.MalformedException e) {
            skip(count, PointsCodec.isPreviousFormat(r.value()) ? SkippedPoints.Reason.OLD_FORMAT
                    : SkippedPoints.Reason.MALFORMED, r.key() + " " + e.getMessage());
            return List.of();
        }
        List<SeriesPoint> points = contents.points();
        List<SeriesPoint> kept = null;
        for (int i = 0; i < points.size(); i++) {
            SeriesPoint p = points.get(i);
            SkippedPoints.Reason bad = GraphiteNames.carbonRefuses(p.id()) ? SkippedPoints.Reason.BAD_PATH
                    : Double.isFinite(p.point().value()) ? null : SkippedPoints.Reason.NOT_FINITE;
            if (bad != null && kept == null) {
                kept = new ArrayList<>(points.subList(0, i));
            }
            if (bad != null) {
                skip(count, bad, GraphiteNames.of(p.id()) + " " + p.point().value());
            } else if (kept != null) {
                kept.add(p);
            }
        }
        return kept == null ? points : kept;
    }

    private void skip(boolean count, SkippedPoints.Reason reason, String example) {
        if (count) {
            skipped.count(reason, example);
        }
    }

    /**
     * Flushes the at-most-once targets, then every durable one; when all of them wrote, the offsets delivered so far
     * wait for confirmation. A durable target that failed makes the sink pause and rewind.
     */
    private boolean flush() {
        if (delivered.isEmpty()) {
            return true;
        }
        flushOthers();
        boolean ok = true;
        for (PointTarget t : durable) {
            ok &= t.flush(); // every one, also after a failure: none keeps what the rewind delivers again
        }
        if (!ok) {
            onFailure();
            return false;
        }
        pointsWritten.add(delivered.points());
        ledger.written(delivered.nextOffsets(), System.nanoTime());
        delivered.clear();
        return true;
    }

    /** A durable target failed (it counts itself down): forget the unconfirmed deliveries, pause and rewind. */
    private void onFailure() {
        up = false;
        flushOthers();
        delivered.clear();
        rewind();
        if (readsAhead) {
            readingAhead = true;
        } else {
            consumer.pause(consumer.assignment());
            paused = true;
        }
    }

    private void rewind() {
        Map<TopicPartition, Long> from = ledger.rewind();
        for (TopicPartition tp : consumer.assignment()) {
            Long offset = from.get(tp);
            if (offset != null) {
                consumer.seek(tp, offset);
            }
        }
    }

    /** Commits the newest offsets whose flush is confirmed (every durable target confirmed it after its delay). */
    private void commitConfirmed() {
        Map<TopicPartition, Long> confirmed = ledger.confirmed(System.nanoTime(), commitDelayNanos);
        if (confirmed == null) {
            return;
        }
        Set<TopicPartition> owned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        confirmed.forEach((tp, next) -> {
            if (owned.contains(tp)) {
                commit.put(tp, new OffsetAndMetadata(next));
            }
        });
        if (commit.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(commit, Duration.ofSeconds(10));
            commit.forEach((tp, o) -> ledger.committed(Map.of(tp, o.offset())));
            durable.forEach(PointTarget::committed);
        } catch (InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            // a rebalance or a slow broker: the points stay uncommitted and a later commit covers them
            log.warn("commit of the sink's offsets failed: {}", e.toString());
        }
    }

    /**
     * Every 5 s window: the lag, the rate for the status line, and the sink's own figures, written to the points
     * topic (never waiting for Kafka), from where carbon and every other target read them like any point.
     */
    private void everyWindow() {
        long now = System.currentTimeMillis();
        if (lastRateMillis == 0) {
            lastRateMillis = now;
            lastLagMillis = now;
        }
        boolean selfDue = self != null && self.due(now);
        if (now - lastRateMillis < SelfMetrics.WINDOW_SECONDS * 1000L && !selfDue) {
            if (now - lastLagMillis >= lagEveryMillis) { // only with lagEvery shorter than the window
                lastLagMillis = now;
                lag = computeLag();
            }
            return;
        }
        lag = computeLag();
        lastLagMillis = now;
        long written = pointsWritten.sum();
        pointsPerSecond = (written - lastRateWritten) * 1000.0 / Math.max(1, now - lastRateMillis);
        lastRateWritten = written;
        lastRateMillis = now;
        if (selfDue) {
            selfPublisher.publish(self.close(now, new SelfMetrics.Figures(written, skipped.total(), lag,
                    carbon.connectedCount(), carbon.outages())));
        }
    }

    /** Carbon's outages so far (for tests). */
    long outages() {
        return carbon.outages();
    }

    /**
     * Records of the points topic not yet in every durable target: end offsets minus the position while every one
     * is up and nothing is read ahead, else minus the last commit (what will be delivered again). Records flushed and
     * waiting for their commit delay are not lag: caught up means 0.
     */
    private long computeLag() {
        Set<TopicPartition> owned = consumer.assignment();
        if (owned.isEmpty()) {
            return 0;
        }
        try {
            Map<TopicPartition, Long> end = consumer.endOffsets(owned, Duration.ofSeconds(1));
            boolean settled = settled();
            long total = 0;
            Map<TopicPartition, OffsetAndMetadata> markersOnly = new HashMap<>();
            for (TopicPartition tp : owned) {
                long position = consumer.position(tp, Duration.ofSeconds(1));
                Long from = ledger.replayFrom().get(tp);
                if (settled && from != null && position > from) {
                    markersOnly.put(tp, new OffsetAndMetadata(position));
                }
                long start = (up && !readingAhead) || from == null ? position : from;
                total += Math.max(0, end.getOrDefault(tp, start) - start);
            }
            if (!markersOnly.isEmpty()) {
                // the last commit (last record + 1) stays short of the position by the topology's transaction
                // markers; committing the position lets Kafka's own lag tools show 0 as well
                consumer.commitSync(markersOnly, Duration.ofSeconds(5));
                markersOnly.forEach((tp, o) -> ledger.committed(Map.of(tp, o.offset())));
            }
            return total;
        } catch (InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            return -1;
        }
    }

    /**
     * Everything read so far is delivered, confirmed and committed (only transaction markers may lie between the
     * last commit and the position): the partitions have no lag.
     */
    private boolean settled() {
        return up && !readingAhead && delivered.isEmpty() && ledger.unconfirmedEntries() == 0;
    }

    /** On close: flush what is pending and commit it once confirmed, waiting at most the commit delay. */
    private void finish() {
        try {
            if (!failed && up && flush()) {
                long deadline = System.nanoTime() + commitDelayNanos + 200_000_000L;
                while (ledger.unconfirmedEntries() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    if (!allConfirm()) {
                        return;
                    }
                    commitConfirmed();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("could not finish the last batch on close: {}", e.toString());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // hand over what the durable targets have for sure; the new owner starts from there
            if (up) {
                if (allConfirm()) {
                    commitConfirmed();
                } else {
                    onFailure();
                }
            }
            ledger.forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            ledger.forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!up && !readsAhead) {
                consumer.pause(partitions);
            }
        }
    }

    public long pointsWritten() {
        return pointsWritten.sum();
    }

    /** Points skipped because they are malformed or carbon could not store them, all reasons. */
    public long pointsSkipped() {
        return skipped.total();
    }

    /** The sink's own figures Kafka acknowledged on the points topic. */
    long selfWritten() {
        SelfPublisher p = selfPublisher;
        return p == null ? 0 : p.written();
    }

    /** The sink's own figures dropped because Kafka could not take them (see {@link SelfPublisher}). */
    long selfDropped() {
        SelfPublisher p = selfPublisher;
        return p == null ? 0 : p.dropped();
    }

    /**
     * Measures the lag this often instead of once a window (5 s), so that a test waiting for it to reach 0 need not
     * wait out the rest of a window; the rate and the sink's own figures keep their window. Not a setting: the
     * default is unchanged, and each measurement asks the broker for the end offsets.
     */
    GraphiteSink lagEvery(Duration every) {
        lagEveryMillis = every.toMillis();
        return this;
    }

    /** Records not yet confirmed in every durable target, as of the last measurement (each window); -1 if unknown. */
    public long lag() {
        return lag;
    }

    /** Bytes of lines waiting in carbon's batch (sink thread's view, for tests of the memory bound). */
    int bufferedBytes() {
        return carbon.bufferedBytes();
    }

    /** Flushes waiting for confirmation (for tests of the memory bound). */
    int unconfirmedWrites() {
        return ledger.unconfirmedEntries();
    }

    /** True while the consumer thread works (started, not stopped by a failure or close). */
    public boolean running() {
        Thread t = thread;
        return running && !failed && t != null && t.isAlive();
    }

    /** True while every carbon endpoint is connected (and trivially with none). */
    public boolean connected() {
        return carbon.allConnected();
    }

    @Override
    public String status() {
        StringBuilder s = new StringBuilder();
        s.append("points written ").append(pointsWritten.sum())
                .append(String.format(Locale.ROOT, " (%.0f/s)", pointsPerSecond));
        long skips = skipped.total();
        s.append(", skipped ").append(skips);
        if (skips > 0) {
            s.append(" (").append(skipped.summary()).append(')');
        }
        s.append(", lag ").append(lag < 0 ? "?" : Long.toString(lag));
        long ownDropped = selfDropped();
        if (ownDropped > 0) {
            s.append(", own figures dropped ").append(ownDropped);
        }
        s.append(", ").append(carbon.describe());
        if (failed) {
            s.append(", STOPPED (see log)");
        }
        return s.toString();
    }

    /**
     * Stops after the current step (a poll waits at most 500 ms, a write at most the write timeout) and commits what
     * the durable targets confirmed. No consumer wakeup: it could land in that last commit instead of in a poll.
     */
    @Override
    public void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
