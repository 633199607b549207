package dev.riffle.topology;

import dev.riffle.core.Event;
import dev.riffle.core.EventCodec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps 1, 2 and 4 for one partition of the events topic: route each event to its per-host series, aggregate
 * it into its 5 s window, and when a window closes emit its points, the 0.0 of silent meters, and one merged
 * partial per fleet series for the fleet stage (never the raw events).
 *
 * <p>The events topic is keyed by host, so every event of a host is in one partition and this stage needs no
 * repartition. Lateness is judged per event (a record may carry events of several windows): an event is late
 * when its window already closed or when the latest event time seen by this task is past its window's end plus
 * the grace. A window closes when that event time passes its end plus the grace.
 *
 * <p>A live task that falls idle lets time run on by the wall clock once it has seen no record for the grace
 * period, so silence never holds points back. Live means its latest events were close to the wall clock when
 * they arrived (within {@code topology.live_lag_ms}): a replay or a catch-up after downtime is not live, so a
 * partition whose fetch stalls for a moment cannot make the rest of its backlog late; it closes windows by event
 * time alone and gives the same points as any other run.
 */
final class HostWindows implements Processor<String, byte[], String, byte[]> {
    static final String STORE = "host-windows";
    static final long WALL_CLOCK_TICK_MS = 200;
    /** an event further ahead of the wall clock is a wrong clock: it would make every event after it late */
    static final long MAX_FUTURE_MS = 3_600_000;
    private static final Logger log = LoggerFactory.getLogger(HostWindows.class);

    private final Rules rules;
    private final TopologyCounters counters;
    private final Series processed;
    private final Series late;
    private final Series unknown;
    private final Series pointsEmitted;

    private ProcessorContext<String, byte[]> context;
    private PointWriter points;
    private WindowBook book;
    private Journal journal;
    private int upstream;
    private long eventTime;
    private long lastRecordWallClock;
    /** how far event time was behind the wall clock at the last record */
    private long lag;
    private long watermarkSent;
    private boolean announced;
    private long initWallClock;
    private long lastWarning;

    // routing of the previous event: a record holds one host's events, so this is almost always a hit
    private String routedHost;
    private String routedEnv;
    private String envHost;
    private String fleetHost;

    HostWindows(Rules rules, TopologyCounters counters) {
        this.rules = rules;
        this.counters = counters;
        processed = self(Rules.RAW_EVENTS_PROCESSED);
        late = self(Rules.LATE_EVENTS);
        unknown = self(Rules.UNKNOWN_KINDS);
        pointsEmitted = self(Rules.POINTS_EMITTED);
    }

    private Series self(String service) {
        return new Series(null, service, Kind.METER, rules.selfHost);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        points = new PointWriter(rules, context);
        upstream = context.taskId().partition();
        JournalStore store = context.getStateStore(STORE);
        book = new WindowBook(rules.windowMs);
        journal = new Journal(store);
        byte[] clock = journal.load(book);
        eventTime = clock == null ? Long.MIN_VALUE : ByteBuffer.wrap(clock).getLong();
        store.beforeCommit(() -> journal.save(book, ByteBuffer.allocate(8).putLong(eventTime).array()));
        announced = false;
        initWallClock = context.currentSystemTimeMs();
        lastRecordWallClock = initWallClock;
        lag = eventTime == Long.MIN_VALUE ? 0 : initWallClock - eventTime; // restored: live if it was
        context.schedule(Duration.ofMillis(WALL_CLOCK_TICK_MS), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        lastRecordWallClock = context.currentSystemTimeMs();
        List<Event> events;
        try {
            events = EventCodec.decode(record.value());
        } catch (EventCodec.MalformedException e) {
            counters.malformedRecords.increment();
            if (lastRecordWallClock - lastWarning > 10_000) {
                lastWarning = lastRecordWallClock;
                log.warn("skipping malformed events record (key {}, timestamp {}): {}", record.key(),
                        record.timestamp(), e.getMessage());
            }
            return;
        }
        for (Event e : events) {
            add(e);
        }
        lag = eventTime == Long.MIN_VALUE ? Long.MAX_VALUE : lastRecordWallClock - eventTime;
        counters.eventsProcessed.add(events.size());
        closeUpTo(eventTime);
    }

    private void add(Event e) {
        long t = e.timeMillis();
        if (t > lastRecordWallClock + MAX_FUTURE_MS) {
            counters.futureEvents.increment();
            return;
        }
        long start = book.startOf(t);
        if (book.isClosed(start) || start + rules.windowMs + rules.graceMs <= eventTime) {
            counters.lateEvents.increment();
            long now = Math.max(book.startOf(eventTime), book.nextClose); // counted in a window still open
            book.window(now).aggregate(late).addCount(now, 1, now + rules.defaultTtlMs);
            return;
        }
        eventTime = Math.max(eventTime, t);
        Window window = book.window(start);
        window.aggregate(processed).addCount(t, 1, t + rules.defaultTtlMs);
        int kinds = kinds(e);
        if (kinds == 0) {
            if (!rules.untaggedAsGauge) {
                counters.unknownKind.increment();
                window.aggregate(unknown).addCount(t, 1, t + rules.defaultTtlMs);
                return;
            }
            kinds = 1 << Kind.GAUGE.ordinal();
        }
        route(e);
        long expiry = rules.expiry(t, e.ttl());
        for (Kind kind : Kind.values()) {
            if ((kinds & (1 << kind.ordinal())) == 0) {
                continue;
            }
            if (e.metric() == null && (kind == Kind.GAUGE || kind == Kind.HISTOGRAM)) {
                counters.missingMetric.increment();
                continue;
            }
            window.aggregate(new Series(envHost, e.service(), kind, fleetHost)).add(t, e.metric(), expiry);
        }
    }

    /** The kinds an event's tags select, as a bit set; an event tagged with two kinds counts in both. */
    private static int kinds(Event e) {
        int kinds = 0;
        for (String tag : e.tags()) {
            Kind k = Kind.ofTag(tag);
            if (k != null) {
                kinds |= 1 << k.ordinal();
            }
        }
        return kinds;
    }

    private void route(Event e) {
        String env = rules.router.environment(e);
        if (!e.host().equals(routedHost) || !env.equals(routedEnv)) {
            routedHost = e.host();
            routedEnv = env;
            envHost = Router.envHost(e.host(), env);
            fleetHost = rules.router.fleetHost(env);
        }
    }

    private void onWallClock(long now) {
        if (eventTime == Long.MIN_VALUE) {
            // no events yet: first make the fleet stage wait for this task, then, idle for the grace period,
            // tell it not to (an empty partition must not hold the fleet back)
            announce(now - initWallClock >= rules.graceMs ? Long.MAX_VALUE : Long.MIN_VALUE);
            return;
        }
        long idle = now - lastRecordWallClock;
        if (idle >= rules.graceMs && lag <= rules.liveLagMs) {
            closeUpTo(eventTime + idle);
        }
    }

    /**
     * Tells every fleet task how far this task has closed its windows. Sent when it moves, and once early so
     * that the fleet stage knows this task exists before other tasks' watermarks let it emit a window.
     */
    private void announce(long nextClose) {
        if (announced && nextClose == watermarkSent) {
            return;
        }
        announced = true;
        watermarkSent = nextClose;
        context.forward(new Record<>("", FleetRecord.watermark(upstream, nextClose),
                context.currentSystemTimeMs()));
    }

    private void closeUpTo(long time) {
        if (time == Long.MIN_VALUE) {
            return;
        }
        book.closeThrough(book.startOf(time - rules.graceMs - rules.windowMs), false, this::close);
        announce(book.nextClose);
    }

    private void close(long start, Window window) {
        Map<Series, Aggregate> partials = new HashMap<>();
        int emitted = 0;
        if (window != null) {
            for (Aggregate a : window.aggregates.values()) {
                Series s = a.series;
                if (s.host() != null) {
                    emitted += points.emit(a, start);
                    if (s.kind() == Kind.METER) {
                        book.trackMeter(a);
                    }
                }
                if (s.fleetHost() != null) {
                    partials.computeIfAbsent(s.fleet(), Aggregate::new).merge(a);
                }
            }
        }
        int[] zeros = {0};
        book.fillSilent(start, window, meter -> {
            points.zero(meter, start);
            zeros[0]++;
        });
        emitted += zeros[0];
        counters.pointsEmitted.add(emitted);
        if (emitted > 0) {
            partials.computeIfAbsent(pointsEmitted.fleet(), Aggregate::new)
                    .addCount(start, emitted, start + rules.defaultTtlMs);
        }
        for (Aggregate p : partials.values()) {
            context.forward(new Record<>(FleetRecord.key(p.series), FleetRecord.partial(start, p), start));
        }
    }
}
