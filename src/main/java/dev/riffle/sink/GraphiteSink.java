package dev.riffle.sink;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.HostPort;
import dev.riffle.core.EventCodec;
import dev.riffle.core.Point;
import dev.riffle.core.PointCodec;
import dev.riffle.core.Stage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink stage's entry point: reads points from Kafka and writes them to carbon as plaintext lines.
 * Offsets are committed only after the lines were written and flushed, so a point is never lost: when carbon
 * is down the sink rewinds to the last committed offsets and retries with a capped backoff (carbon overwrites
 * same-timestamp points, so a point written twice is harmless).
 */
public final class GraphiteSink implements Stage {
    private static final Logger log = LoggerFactory.getLogger(GraphiteSink.class);

    private final Config config;
    private final String bootstrap;
    private final PrintStream printTo;
    private final List<HostPort> endpoints;
    private final LongAdder pointsWritten = new LongAdder();
    private final LongAdder pointsSkipped = new LongAdder();
    private final AtomicLong connectedSince = new AtomicLong(-1);
    private volatile String lastError = "";
    private volatile boolean running;
    private final Map<TopicPartition, Long> printedUntil = new HashMap<>();
    private KafkaConsumer<String, byte[]> consumer;
    private Thread thread;
    private Socket socket;
    private OutputStream carbon;

    /** @param printTo where {@code print_points} writes lines (stdout in the CLI) */
    public GraphiteSink(Config config, String bootstrap, PrintStream printTo) {
        this.config = config;
        this.bootstrap = bootstrap;
        this.printTo = printTo;
        this.endpoints = config.get(SinkKeys.GRAPHITE);
        if (endpoints.size() > 1) {
            throw new IllegalArgumentException("several Graphite endpoints are not supported yet");
        }
    }

    @Override
    public String name() {
        return "sink";
    }

    @Override
    public void start() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.get(SinkKeys.GROUP_ID));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // the topology writes points in transactions: only read what was committed
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of(config.get(CommonKeys.POINTS_TOPIC)));
        running = true;
        thread = new Thread(this::run, "riffle-sink");
        thread.start();
    }

    private void run() {
        long backoff = 100;
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                String lines = format(records);
                printOnce(records);
                try {
                    write(lines);
                    consumer.commitSync(nextOffsets(records));
                    backoff = 100;
                } catch (IOException e) {
                    lastError = e.toString();
                    log.warn("cannot write to Graphite {}: {}; retrying in {} ms", endpoints, e, backoff);
                    disconnect();
                    rewind(records);
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, config.get(SinkKeys.MAX_BACKOFF_MS));
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            log.error("sink stopped", e);
        } finally {
            disconnect();
            consumer.close();
        }
    }

    private String format(ConsumerRecords<String, byte[]> records) {
        StringBuilder lines = new StringBuilder(records.count() * 64);
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                Point point = PointCodec.decode(r.value());
                String line = PlaintextLine.of(r.key(), point);
                if (line == null || r.key() == null) {
                    pointsSkipped.increment();
                } else {
                    lines.append(line);
                }
            } catch (EventCodec.MalformedException e) {
                pointsSkipped.increment();
            }
        }
        return lines.toString();
    }

    private void write(String lines) throws IOException {
        if (lines.isEmpty()) {
            return;
        }
        if (!endpoints.isEmpty()) {
            if (carbon == null) {
                connect(endpoints.get(0));
            }
            carbon.write(lines.getBytes(StandardCharsets.UTF_8));
            carbon.flush();
        }
        pointsWritten.add(lines.chars().filter(c -> c == '\n').count());
    }

    /**
     * Stdout is a second target that never fails: each point is printed once, even while a carbon outage makes
     * the same records come round again.
     */
    private void printOnce(ConsumerRecords<String, byte[]> records) {
        if (!config.get(SinkKeys.PRINT_POINTS)) {
            return;
        }
        StringBuilder out = new StringBuilder();
        for (ConsumerRecord<String, byte[]> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (r.offset() < printedUntil.getOrDefault(tp, -1L)) {
                continue;
            }
            printedUntil.put(tp, r.offset() + 1);
            try {
                String line = r.key() == null ? null : PlaintextLine.of(r.key(), PointCodec.decode(r.value()));
                if (line != null) {
                    out.append(line);
                }
            } catch (EventCodec.MalformedException e) {
                // counted when formatted for carbon
            }
        }
        printTo.print(out);
        printTo.flush();
    }

    private void connect(HostPort endpoint) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), 5_000);
        s.setSoTimeout(10_000);
        socket = s;
        carbon = s.getOutputStream();
        connectedSince.set(System.currentTimeMillis());
        log.info("connected to Graphite {}", endpoint);
    }

    private void disconnect() {
        connectedSince.set(-1);
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
        socket = null;
        carbon = null;
    }

    private void rewind(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        return offsets;
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    public long pointsWritten() {
        return pointsWritten.sum();
    }

    @Override
    public String status() {
        String graphite = endpoints.isEmpty() ? "graphite none"
                : connectedSince.get() > 0 ? "graphite connected" : "graphite not connected"
                + (lastError.isEmpty() ? "" : " (" + lastError + ")");
        return "points written " + pointsWritten.sum() + ", skipped " + pointsSkipped.sum() + ", " + graphite;
    }

    @Override
    public void close() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
