package dev.riffle.sink;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.HostPort;
import dev.riffle.config.KafkaClients;
import dev.riffle.core.EventCodec;
import dev.riffle.core.GraphitePath;
import dev.riffle.core.Point;
import dev.riffle.core.PointCodec;
import dev.riffle.core.PointTarget;
import dev.riffle.core.Stage;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
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
 * The sink stage's entry point: the points consumer. It reads points from Kafka and writes them to carbon as
 * plaintext lines, in batches, to one or more endpoints; and it hands each point once to its other targets
 * ({@link PointTarget}: stdout with {@code print_points}, the graphs page's recent store), which see every record
 * the first time it is read and never make the sink wait or rewind.
 *
 * <p>Nothing is lost while carbon is down: offsets are committed only after a batch was written and flushed to
 * every endpoint and the connections stayed open for the commit delay. When an endpoint fails (refused, closed,
 * reset, or a write that carbon does not take within the write timeout) the sink pauses its partitions, keeps
 * polling so it stays in the consumer group, rewinds to the last commit, and reconnects with a capped backoff;
 * the lag grows meanwhile, and everything since the last commit is written again once every endpoint is back
 * (carbon overwrites a point with the same timestamp, so a replay is harmless). With other targets (stdout, the
 * recent store) it reads on during the outage for them only, and rewinds for carbon when every endpoint is back.
 *
 * <p>One thread does all the work (Kafka's consumer is single-threaded); other threads only read volatile
 * figures through {@link #status()}.
 */
public final class GraphiteSink implements Stage {
    private static final Logger log = LoggerFactory.getLogger(GraphiteSink.class);

    private final Config config;
    private final String bootstrap;
    /** the targets other than carbon, each handed every record once */
    private final List<PointTarget> others;
    /** with other targets, the sink reads on for them while carbon is down */
    private final boolean readsAhead;
    private final CarbonTargets targets;
    private final Batch batch;
    private final OffsetLedger ledger = new OffsetLedger();
    private final SkippedPoints skipped = new SkippedPoints();
    private final SelfMetrics self;
    private final ArrayDeque<String> heldSelfLines = new ArrayDeque<>();
    private final Map<TopicPartition, Long> seenUntil = new HashMap<>();
    private final long flushNanos;
    private final long commitDelayNanos;
    private final LongAdder pointsWritten = new LongAdder();
    private volatile long lag = -1;
    private volatile double pointsPerSecond;
    private volatile boolean running;
    private volatile boolean failed;
    private boolean paused;
    private boolean readingAhead;
    private long lastRateMillis;
    private long lastRateWritten;
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
     * @param targets more targets for every point, such as the graphs page's recent store
     */
    public GraphiteSink(Config config, String bootstrap, PrintStream printTo, List<PointTarget> targets) {
        this.config = config;
        this.bootstrap = bootstrap;
        List<PointTarget> others = new ArrayList<>();
        if (config.get(SinkKeys.PRINT_POINTS)) {
            String selfPrefix = GraphitePath.of(config.get(CommonKeys.SELF_HOST), "") + ".";
            others.add(new StdoutTarget(printTo, config.get(SinkKeys.PRINT_SELF) ? null : selfPrefix));
        }
        others.addAll(targets);
        this.others = List.copyOf(others);
        this.readsAhead = !this.others.isEmpty();
        List<HostPort> endpoints = config.get(SinkKeys.GRAPHITE);
        this.targets = new CarbonTargets(endpoints, config.get(SinkKeys.MODE), config.get(SinkKeys.WRITE_TIMEOUT_MS),
                config.get(SinkKeys.MAX_BACKOFF_MS));
        this.batch = new Batch(endpoints.size(), config.get(SinkKeys.BATCH_BYTES));
        this.flushNanos = config.get(SinkKeys.FLUSH_MS) * 1_000_000L;
        // without carbon there is nothing that could still lose a written batch
        this.commitDelayNanos = endpoints.isEmpty() ? 0 : config.get(SinkKeys.COMMIT_DELAY_MS) * 1_000_000L;
        this.self = endpoints.isEmpty() || !config.get(SinkKeys.SELF_METRICS) ? null
                : new SelfMetrics(instanceName(config.get(SinkKeys.INSTANCE)));
    }

    private static String instanceName(String configured) {
        if (!configured.isBlank()) {
            return configured;
        }
        String host = System.getenv("HOSTNAME");
        try {
            if (host == null || host.isBlank()) {
                host = InetAddress.getLocalHost().getHostName();
            }
        } catch (java.io.IOException e) {
            host = "sink";
        }
        int dot = host.indexOf('.');
        return dot > 0 ? host.substring(0, dot) : host;
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
        running = true;
        thread = new Thread(this::run, "riffle-sink");
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                boolean up = targets.reconnectDue();
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
                } else if (append(records) && (!batch.due(flushNanos) || flush())) {
                    if (targets.checkOpen()) {
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
            targets.close();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private long pollMillis(boolean up) {
        if (!up) {
            return Math.max(10, Math.min(500, targets.millisToNextAttempt()));
        }
        return Math.max(1, Math.min(100, batch.nanosUntilDue(flushNanos) / 1_000_000));
    }

    /**
     * While a carbon endpoint is down nothing is fetched, but polling goes on so that the group keeps this member.
     * With other targets the sink reads on for them instead, and goes back to the last commit for carbon once every
     * endpoint is up again.
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

    /** Carbon is down: the other targets still get each point once, as it arrives. */
    private void readAhead(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (r.offset() >= seenUntil.getOrDefault(tp, -1L)) {
                String path = CarbonPath.sanitise(r.key());
                Point point = point(r, path, true);
                if (point != null) {
                    deliver(path, point);
                }
                seenUntil.put(tp, r.offset() + 1);
            }
        }
        flushOthers();
    }

    private void deliver(String path, Point point) {
        for (PointTarget t : others) {
            try {
                t.accept(path, point);
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

    /** A target's bug must not stop carbon: counted, logged at most once a minute. */
    private void targetFailed(PointTarget t, RuntimeException e) {
        targetFailures++;
        long now = System.currentTimeMillis();
        if (now - lastTargetFailureLog >= 60_000) {
            lastTargetFailureLog = now;
            log.warn("target {} failed ({} failures so far): {}", t.name(), targetFailures, e.toString());
        }
    }

    /** Formats each record into the batch, writing the batch whenever it is full; false after a failure. */
    private boolean append(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            // printing and counting happen once per record, however often an outage makes it come round
            boolean firstTime = r.offset() >= seenUntil.getOrDefault(tp, -1L);
            String path = CarbonPath.sanitise(r.key());
            Point point = point(r, path, firstTime);
            String line = point == null ? null : PlaintextLine.of(path, point);
            if (line != null) {
                byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
                int route = targets.route(path);
                while (!batch.add(bytes, route, true)) { // with no endpoint (graphite none) it only counts
                    if (!flush()) {
                        return false;
                    }
                }
                if (firstTime) {
                    deliver(path, point);
                }
            }
            batch.covers(tp, r.offset());
            if (firstTime) {
                seenUntil.put(tp, r.offset() + 1); // only now: a failed write above brings the record round again
            }
        }
        return true;
    }

    /** The record's point when carbon can store it, else null (counted as skipped when {@code count}). */
    private Point point(ConsumerRecord<String, byte[]> r, String path, boolean count) {
        Point point;
        try {
            point = PointCodec.decode(r.value());
        } catch (EventCodec.MalformedException e) {
            return skip(count, SkippedPoints.Reason.MALFORMED, r.key() + " " + e.getMessage());
        }
        if (r.key() == null) {
            return skip(count, SkippedPoints.Reason.MALFORMED, "no path (null key)");
        }
        if (path == null) {
            return skip(count, SkippedPoints.Reason.BAD_PATH, r.key());
        }
        return Double.isFinite(point.value()) ? point
                : skip(count, SkippedPoints.Reason.NOT_FINITE, path + " " + point.value());
    }

    private Point skip(boolean count, SkippedPoints.Reason reason, String example) {
        if (count) {
            skipped.count(reason, example);
        }
        return null;
    }

    /** Prints, then writes the batch to every endpoint; on success its offsets wait for confirmation. */
    private boolean flush() {
        if (batch.isEmpty()) {
            return true;
        }
        printPending();
        if (targets.size() > 0 && !targets.writeAll(batch.readyToWrite())) {
            onFailure();
            return false;
        }
        pointsWritten.add(batch.points());
        ledger.written(batch.nextOffsets(), System.nanoTime());
        batch.clear();
        return true;
    }

    private void printPending() {
        flushOthers();
    }

    /** An endpoint failed (it is already marked down): forget the unconfirmed writes, pause and rewind. */
    private void onFailure() {
        printPending();
        batch.clear();
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

    /** Commits the newest offsets whose batch is confirmed (every connection still open after the delay). */
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
            targets.connections().forEach(CarbonConnection::healthy);
        } catch (InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            // a rebalance or a slow broker: the points stay uncommitted and a later commit covers them
            log.warn("commit of the sink's offsets failed: {}", e.toString());
        }
    }

    /** Every 5 s window: the lag, the rate for the status line, and the self metrics. */
    private void everyWindow() {
        long now = System.currentTimeMillis();
        if (lastRateMillis == 0) {
            lastRateMillis = now;
        }
        if (now - lastRateMillis < SelfMetrics.WINDOW_SECONDS * 1000L
                && (self == null || self.started() && !self.windowEnded(now))) {
            return;
        }
        lag = computeLag();
        long written = pointsWritten.sum();
        pointsPerSecond = (written - lastRateWritten) * 1000.0 / Math.max(1, now - lastRateMillis);
        lastRateWritten = written;
        lastRateMillis = now;
        if (self == null) {
            return;
        }
        for (String line : self.close(now, new SelfMetrics.Figures(written, skipped.total(), lag,
                targets.connectedCount(), outages()))) {
            if (heldSelfLines.size() == SelfMetrics.MAX_HELD_LINES) {
                heldSelfLines.pollFirst();
            }
            heldSelfLines.addLast(line);
            selfToOthers(line);
        }
        if (!targets.allConnected()) {
            return; // held until every endpoint is back
        }
        while (!heldSelfLines.isEmpty()) {
            String line = heldSelfLines.peekFirst();
            String path = line.substring(0, line.indexOf(' '));
            if (batch.add(line.getBytes(StandardCharsets.US_ASCII), targets.route(path), false)) {
                heldSelfLines.pollFirst();
            } else if (!flush()) {
                return;
            }
        }
    }

    /** The sink's own figures also go to the other targets but stdout (the graphs page shows them), at once. */
    private void selfToOthers(String line) {
        String[] f = line.trim().split(" ");
        if (f.length != 3) {
            return;
        }
        Point point;
        try {
            point = new Point(Double.parseDouble(f[1]), Long.parseLong(f[2]));
        } catch (NumberFormatException e) {
            return;
        }
        for (PointTarget t : others) {
            if (!(t instanceof StdoutTarget)) {
                try {
                    t.accept(f[0], point);
                } catch (RuntimeException e) {
                    targetFailed(t, e);
                }
            }
        }
    }

    /** Outages of all endpoints so far; each is logged as one start, one end and one summary a minute. */
    long outages() {
        long n = 0;
        for (CarbonConnection c : targets.connections()) {
            n += c.outages();
        }
        return n;
    }

    /**
     * Records of the points topic not yet written to carbon: end offsets minus the position while every endpoint
     * is connected and nothing is read ahead, else minus the last commit (what will be written again). Records
     * written and waiting for their commit delay are not lag: caught up means 0.
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
                long start = (targets.allConnected() && !readingAhead) || from == null ? position : from;
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
     * Everything read so far is written, confirmed and committed (only transaction markers may lie between the
     * last commit and the position): the partitions have no lag.
     */
    private boolean settled() {
        return targets.allConnected() && !readingAhead && batch.isEmpty() && ledger.unconfirmedEntries() == 0;
    }

    /** On close: write what is batched and commit it once confirmed, waiting at most the commit delay. */
    private void finish() {
        try {
            if (!failed && targets.allConnected() && flush()) {
                long deadline = System.nanoTime() + commitDelayNanos + 200_000_000L;
                while (ledger.unconfirmedEntries() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    if (!targets.checkOpen()) {
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
            // hand over what carbon has for sure; the new owner starts from there
            if (targets.allConnected()) {
                if (targets.checkOpen()) {
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
            if (!targets.allConnected() && !readsAhead) {
                consumer.pause(partitions);
            }
        }
    }

    public long pointsWritten() {
        return pointsWritten.sum();
    }

    /** Points skipped because carbon could not store them, all reasons. */
    public long pointsSkipped() {
        return skipped.total();
    }

    /** Records not yet confirmed in carbon, as of the last 5 s window; -1 when unknown. */
    public long lag() {
        return lag;
    }

    /** Bytes of lines waiting in the batch (sink thread's view, for tests of the memory bound). */
    int bufferedBytes() {
        return batch.bufferedBytes();
    }

    /** Writes waiting for confirmation (for tests of the memory bound). */
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
        return targets.allConnected();
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
        if (targets.size() == 0) {
            s.append(", graphite none");
        } else {
            s.append(", graphite ").append(targets.connectedCount()).append('/').append(targets.size())
                    .append(" connected");
            for (CarbonConnection c : targets.connections()) {
                if (!c.connected()) {
                    s.append("; ").append(c.describe());
                }
            }
        }
        if (failed) {
            s.append(", STOPPED (see log)");
        }
        return s.toString();
    }

    /**
     * Stops after the current step (a poll waits at most 500 ms, a write at most the write timeout) and commits what
     * carbon confirmed. No consumer wakeup: it could land in that last commit instead of in a poll.
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
