package dev.riffle.topology;

import dev.riffle.core.Event;
import dev.riffle.core.EventCodec;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
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
 * <p>Time comes from the stream, never from this machine's clock. Each bridge writes ticks into every
 * partition ("every event I received before T precedes this record"); this partition's watermark is the
 * minimum over the live bridges' latest ticks (a bridge whose ticks fall {@code topology.bridge_timeout_ms}
 * behind another's is no longer waited for; one that said goodbye neither). A window closes when the watermark
 * passes its end plus the grace. An event's own time picks its window, unless it is more than
 * {@code topology.max_clock_ahead_ms} ahead of its arrival at the bridge (a fast client clock): then it is
 * counted as clock-ahead and put in its arrival's window. An event whose window has closed is late, and only it:
 * no event moves the watermark, so a paused, slow or replaying instance closes the same windows at the same
 * points, only later.
 *
 * <p>A partition that has never seen a tick (events written by another producer, or from before ticks) falls
 * back to its own event time: a window closes when the latest event time seen passes its end plus the grace.
 */
final class HostWindows implements Processor<String, byte[], String, byte[]> {
    static final String STORE = "host-windows";
    /** the DSL's children of this node (see RiffleTopology): points go to the points topic, the rest to the fleet */
    static final String TO_POINTS = "host-points-out";
    static final String TO_FLEET = RiffleTopology.FLEET_PARTIALS + "-repartition-filter";
    private static final int CLOCKS_FORMAT = 1;
    /** how soon the next slice of a window being closed is made */
    private static final long RESUME_MS = 10;
    private static final Logger log = LoggerFactory.getLogger(HostWindows.class);

    private final Rules rules;
    private final TopologyCounters counters;
    private final Series processed;
    private final Series late;
    private final Series unknown;
    private final Series clockAhead;
    private final Series pointsEmitted;

    private ProcessorContext<String, byte[]> context;
    private PointWriter points;
    private WindowBook book;
    private Journal journal;
    private int upstream;
    /** the bridges' latest ticks in this partition: bridge -> time (ms) */
    private final Map<String, Long> bridges = new TreeMap<>();
    /** the partition's watermark (ms): MIN until the first tick */
    private long watermark;
    /** the latest event time seen: the clock of a partition without ticks only */
    private long eventTime;
    private int partitions;
    private long announced;
    private boolean hasAnnounced;
    private long lastWarning;
    /** this task's series, one instance each; a generation is a minute of windows */
    private final SeriesInterner names = new SeriesInterner();
    private static final int WINDOWS_PER_GENERATION = 12;
    private int windowsInGeneration;
    /** a closing window's partials, by fleet series, until its slice ends */
    private final Map<Series, Aggregate> partials = new HashMap<>();
    private int emitted;

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
        clockAhead = self(Rules.CLOCK_AHEAD);
        pointsEmitted = self(Rules.POINTS_EMITTED);
    }

    private Series self(String service) {
        return new Series(null, service, Kind.METER, rules.selfHost);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        points = new PointWriter(rules, context, TO_POINTS, false, "host-" + context.taskId().partition(), counters);
        upstream = context.taskId().partition();
        JournalStore store = context.getStateStore(STORE);
        book = new WindowBook(rules.windowMs);
        journal = new Journal(store);
        bridges.clear();
        watermark = Long.MIN_VALUE;
        eventTime = Long.MIN_VALUE;
        partitions = rules.eventsPartitions;
        hasAnnounced = false;
        restore(journal.load(book));
        store.beforeCommit(() -> journal.save(book, clocks()));
        // scheduling only: which windows close, and when, is decided by the ticks, never by this clock
        context.schedule(java.time.Duration.ofMillis(RESUME_MS), org.apache.kafka.streams.processor.PunctuationType
                .WALL_CLOCK_TIME, now -> resumeClosing());
    }

    private byte[] clocks() {
        return Journal.clocks(CLOCKS_FORMAT, out -> {
            out.writeLong(watermark);
            out.writeLong(eventTime);
            out.writeInt(partitions);
            out.writeInt(bridges.size());
            for (Map.Entry<String, Long> b : bridges.entrySet()) {
                out.writeUTF(b.getKey());
                out.writeLong(b.getValue());
            }
        });
    }

    private void restore(Journal.Clocks clocks) {
        if (clocks == null) {
            return;
        }
        if (clocks.format() == 0) { // before ticks: the latest event time only
            eventTime = ByteBuffer.wrap(clocks.bytes()).getLong();
            return;
        }
        Journal.readClocks(clocks, STORE, CLOCKS_FORMAT, in -> {
            watermark = in.readLong();
            eventTime = in.readLong();
            partitions = Math.max(partitions, in.readInt());
            for (int n = in.readInt(); n > 0; n--) {
                bridges.put(in.readUTF(), in.readLong());
            }
        });
    }

    @Override
    public void process(Record<String, byte[]> record) {
        EventCodec.Contents contents;
        try {
            contents = EventCodec.decodeRecord(record.value());
        } catch (EventCodec.MalformedException e) {
            counters.malformedRecords.increment();
            long now = System.currentTimeMillis(); // only to limit the log's rate
            if (now - lastWarning > 10_000) {
                lastWarning = now;
                log.warn("skipping malformed events record (key {}, timestamp {}): {}", record.key(),
                        record.timestamp(), e.getMessage());
            }
            return;
        }
        if (contents instanceof EventCodec.Tick tick) {
            onTick(tick);
        } else if (contents instanceof EventCodec.Batch batch) {
            onBatch(batch);
        }
    }

    private void onTick(EventCodec.Tick tick) {
        counters.ticks.increment();
        if (tick.partitions() > 0) {
            partitions = tick.partitions();
        }
        long time = Math.floorDiv(tick.timeMicros(), 1000L);
        bridges.merge(tick.bridge(), time, Math::max);
        long newest = Long.MIN_VALUE;
        for (long t : bridges.values()) {
            newest = Math.max(newest, t);
        }
        long alive = newest - rules.bridgeTimeoutMs;
        // a bridge that fell behind is forgotten; one that said goodbye has sent everything before its last tick
        bridges.values().removeIf(t -> t < alive);
        long low = Long.MAX_VALUE;
        for (long t : bridges.values()) {
            low = Math.min(low, t);
        }
        if (tick.bye()) {
            bridges.remove(tick.bridge());
        }
        watermark = Math.max(watermark, low);
        closeUpTo(watermark);
    }

    private void onBatch(EventCodec.Batch batch) {
        Long arrival = batch.receivedMicros() == null ? null : Math.floorDiv(batch.receivedMicros(), 1000L);
        boolean ticked = watermark != Long.MIN_VALUE;
        for (Event e : batch.events()) {
            long t = e.timeMillis();
            if (arrival != null && t > arrival + rules.maxClockAheadMs) {
                counters.clockAhead.increment();
                selfCount(clockAhead);
                t = arrival;
            }
            long start = book.startOf(t);
            if (book.isClosed(start) || (!ticked && start + rules.windowMs + rules.graceMs <= eventTime)) {
                counters.lateEvents.increment();
                selfCount(late);
                continue;
            }
            if (!ticked) {
                eventTime = Math.max(eventTime, t);
            }
            add(e, t, start);
        }
        counters.eventsProcessed.add(batch.events().size());
        if (!ticked) {
            closeUpTo(eventTime);
        }
        announce();
    }

    /** Counts one of this task's own occurrences (late, clock-ahead) in the earliest window still open. */
    private void selfCount(Series series) {
        long clock = watermark != Long.MIN_VALUE ? watermark : eventTime;
        long at = Math.max(book.firstOpen(), clock == Long.MIN_VALUE ? Long.MIN_VALUE : book.startOf(clock));
        if (at == Long.MIN_VALUE) {
            return; // nothing has a time yet: the status line still counts it
        }
        book.aggregate(at, series).addCount(at, 1, at + rules.defaultTtlMs);
    }

    private void add(Event e, long t, long start) {
        book.aggregate(start, processed).addCount(t, 1, t + rules.defaultTtlMs);
        int kinds = kinds(e);
        if (kinds == 0) {
            if (!rules.untaggedAsGauge) {
                counters.unknownKind.increment();
                book.aggregate(start, unknown).addCount(t, 1, t + rules.defaultTtlMs);
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
            book.aggregate(start, names.intern(new Series(envHost, e.service(), kind, fleetHost)))
                    .add(t, e.metric(), expiry);
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
            // Riffle's own figures (the bridge's self metrics) are never summed into a fleet series
            fleetHost = e.host().equals(rules.selfHost) ? null : rules.router.fleetHost(env);
        }
    }

    private void closeUpTo(long time) {
        if (time != Long.MIN_VALUE) {
            closeSlice(book.startOf(time - rules.graceMs - rules.windowMs));
        }
        announce();
    }

    /**
     * Closes at most one slice ({@code topology.close_slice_points}) of what is due, then lets the stream thread
     * commit (the slice's points become visible to the sink while the next is made) and serve its other tasks;
     * the punctuator resumes. Each slice's fleet partials go out with it, so a restore in the middle of a window
     * neither loses nor repeats any.
     */
    private void closeSlice(long through) {
        long before = book.nextClose();
        long[] position = book.closingState();
        book.closeSome(through, rules.closeSlicePoints, false, closing);
        points.flush(); // before the commit below: a slice's points are all in its transaction
        if (book.nextClose() != before) {
            counters.closed.put("host-" + upstream, book.nextClose());
        }
        if (book.nextClose() != before || !java.util.Arrays.equals(position, book.closingState())) {
            context.commit(); // points become visible at commit: now, not a commit interval later
        }
    }

    /** The punctuator's turn: the next slice of a window being closed, if any. */
    private void resumeClosing() {
        if (book.closingPending()) {
            closeSlice(Long.MIN_VALUE);
            announce();
        }
    }

    /**
     * Tells every fleet task how far this task has closed its windows, and how many tasks there are. Sent
     * when it moves, and once at the first record so the fleet stage knows this task exists.
     */
    private void announce() {
        long next = book.nextClose();
        if (hasAnnounced && next == announced) {
            return;
        }
        hasAnnounced = true;
        announced = next;
        context.forward(new Record<>("", FleetRecord.watermark(new FleetRecord.Watermark(upstream, partitions,
                next)), watermark == Long.MIN_VALUE ? Math.max(0, eventTime) : watermark), TO_FLEET);
    }

    private final WindowBook.Output closing = new WindowBook.Output() {
        @Override
        public int point(long start, Aggregate a) {
            Series s = a.series;
            int n = 0;
            if (s.host() != null) {
                n = points.emit(a, start);
                emitted += n;
            }
            if (s.fleetHost() != null) {
                partials.computeIfAbsent(s.fleet(), Aggregate::new).merge(a);
            }
            return Math.max(n, 1);
        }

        @Override
        public void zero(long start, Series meter) {
            points.zero(meter, start);
            emitted++;
        }

        @Override
        public void sliceDone(long start) {
            forwardPartials(start);
        }

        @Override
        public void closed(long start) {
            forwardPartials(start);
            if (++windowsInGeneration >= WINDOWS_PER_GENERATION) {
                names.rotate();
                windowsInGeneration = 0;
            }
        }
    };

    /** The fleet partials and the points count of the slice that just ended. */
    private void forwardPartials(long start) {
        counters.pointsEmitted.add(emitted);
        if (emitted > 0) {
            partials.computeIfAbsent(pointsEmitted.fleet(), Aggregate::new)
                    .addCount(start, emitted, start + rules.defaultTtlMs);
        }
        emitted = 0;
        for (Aggregate p : partials.values()) {
            context.forward(new Record<>(FleetRecord.key(p.series), FleetRecord.partial(start, p), start), TO_FLEET);
        }
        partials.clear();
    }
}
