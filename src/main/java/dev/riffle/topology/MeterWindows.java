package dev.riffle.topology;

import dev.riffle.core.Event;
import dev.riffle.core.EventCodec;
import dev.riffle.core.GraphitePath;
import dev.riffle.core.Point;
import dev.riffle.core.PointCodec;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps 2 and 4 for meters: sums each (host.env, service) per tumbling event-time window and, when the window
 * closes, emits {@code sum / window seconds} as one point stamped with the window start.
 *
 * <p>Open windows live in a plain map for speed and in a changelogged store for recovery: the store is
 * written with every update, so a restarted task resumes exactly where the committed input left off.
 *
 * <p>A window closes when event time (the latest event seen by this task) passes its end plus the grace. An
 * idle task would never see event time move, so a wall-clock punctuation lets time run on from the last event
 * once the task has been quiet for the grace period: live output is never held back by silence.
 */
final class MeterWindows implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(MeterWindows.class);
    static final String STORE = "open-meter-windows";

    private final Router router;
    private final long windowMs;
    private final long graceMs;
    private final String suffix;
    private final TopologyCounters counters;

    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, Double> store;
    /** window start -> "host\tservice" -> sum of metrics */
    private final TreeMap<Long, Map<String, Double>> open = new TreeMap<>();
    private long eventTime = Long.MIN_VALUE;
    private long wallClockAtLastEvent;

    MeterWindows(Router router, long windowMs, long graceMs, String suffix, TopologyCounters counters) {
        this.router = router;
        this.windowMs = windowMs;
        this.graceMs = graceMs;
        this.suffix = suffix;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        try (KeyValueIterator<String, Double> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, Double> kv = it.next();
                int tab = kv.key.indexOf('|');
                long start = Long.parseLong(kv.key.substring(0, tab));
                open.computeIfAbsent(start, s -> new HashMap<>()).put(kv.key.substring(tab + 1), kv.value);
                eventTime = Math.max(eventTime, start);
            }
        }
        wallClockAtLastEvent = context.currentSystemTimeMs();
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::closeOnWallClock);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        List<Event> events;
        try {
            events = EventCodec.decode(record.value());
        } catch (EventCodec.MalformedException e) {
            counters.malformedRecords.increment();
            log.debug("skipping malformed record at {}: {}", record.timestamp(), e.getMessage());
            return;
        }
        for (Event e : events) {
            counters.eventsProcessed.increment();
            long t = e.timeMillis();
            long start = Math.floorDiv(t, windowMs) * windowMs;
            if (start + windowMs + graceMs <= eventTime || isClosed(start)) {
                counters.lateEvents.increment();
                continue;
            }
            eventTime = Math.max(eventTime, t);
            if (!e.hasTag("meter")) {
                counters.unknownKind.increment();
                continue;
            }
            String env = router.environment(e);
            String key = Router.envHost(e.host(), env) + "\t" + e.service() + " " + suffix;
            double add = e.metric() == null ? 1.0 : e.metric();
            double sum = open.computeIfAbsent(start, s -> new HashMap<>()).merge(key, add, Double::sum);
            store.put(start + "|" + key, sum);
        }
        wallClockAtLastEvent = context.currentSystemTimeMs();
        closeUpTo(eventTime);
    }

    /** A window counts as closed once its start is below the earliest still-open frontier we already passed. */
    private long closedBefore = Long.MIN_VALUE;

    private boolean isClosed(long start) {
        return start < closedBefore;
    }

    private void closeOnWallClock(long now) {
        long idle = now - wallClockAtLastEvent;
        if (eventTime != Long.MIN_VALUE && idle >= graceMs) {
            closeUpTo(eventTime + idle);
        }
    }

    private void closeUpTo(long time) {
        while (!open.isEmpty() && open.firstKey() + windowMs + graceMs <= time) {
            Map.Entry<Long, Map<String, Double>> window = open.pollFirstEntry();
            long start = window.getKey();
            for (Map.Entry<String, Double> sum : window.getValue().entrySet()) {
                String key = sum.getKey();
                int tab = key.indexOf('\t');
                String path = GraphitePath.of(key.substring(0, tab), key.substring(tab + 1));
                Point point = new Point(sum.getValue() * 1000.0 / windowMs, start / 1000);
                context.forward(new Record<>(path, PointCodec.encode(point), start));
                counters.pointsEmitted.increment();
                store.delete(start + "|" + key);
            }
            closedBefore = Math.max(closedBefore, start + windowMs);
        }
    }
}
