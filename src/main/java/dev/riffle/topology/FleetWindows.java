package dev.riffle.topology;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Step 3: the fleet-wide ("all-hosts") points, as the merge of the per-host stage's partials.
 *
 * <p>Each per-host task tells every fleet task how far it has closed its windows (a watermark). A fleet window
 * is emitted once every per-host task known so far has passed it, so tasks that run at different speeds (an
 * instance catching up after a restart) do not make partials "late". Two things bound the wait and the memory:
 * a window more than the fleet lateness behind the most advanced task is emitted anyway; and an emitted window
 * is kept for the fleet lateness, during which a straggling partial (from a task not heard of before, or one
 * held back longer than the lateness) merges in and re-emits the corrected point for the same timestamp (carbon
 * overwrites it). A partial for a window already dropped is counted and dropped.
 *
 * <p>The fleet stage cannot see how many per-host tasks there are; each announces itself shortly after it
 * starts. So that the first task's watermarks do not let a window out before the others have announced, a
 * fleet task emits nothing during its first grace period (wall clock).
 */
final class FleetWindows implements Processor<String, byte[], String, byte[]> {
    static final String STORE = "fleet-windows";

    private final Rules rules;
    private final TopologyCounters counters;

    private ProcessorContext<String, byte[]> context;
    private PointWriter points;
    private WindowBook book;
    private Journal journal;
    /** per-host task (partition) -> the start of the first window it has not closed yet */
    private final Map<Integer, Long> upstreams = new TreeMap<>();
    /** windows before this were dropped: partials for them are too late */
    private long droppedBefore;
    private long holdUntil;
    private boolean holding;

    FleetWindows(Rules rules, TopologyCounters counters) {
        this.rules = rules;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        points = new PointWriter(rules, context);
        JournalStore store = context.getStateStore(STORE);
        book = new WindowBook(rules.windowMs);
        journal = new Journal(store);
        upstreams.clear();
        droppedBefore = Long.MIN_VALUE;
        byte[] clocks = journal.load(book);
        if (clocks != null) {
            ByteBuffer b = ByteBuffer.wrap(clocks);
            droppedBefore = b.getLong();
            for (int n = b.getInt(); n > 0; n--) {
                upstreams.put(b.getInt(), b.getLong());
            }
        }
        store.beforeCommit(() -> journal.save(book, clocks()));
        holdUntil = context.currentSystemTimeMs() + Math.max(rules.graceMs, 2 * HostWindows.WALL_CLOCK_TICK_MS);
        holding = true;
        context.schedule(Duration.ofMillis(HostWindows.WALL_CLOCK_TICK_MS), PunctuationType.WALL_CLOCK_TIME, now -> {
            if (holding && now >= holdUntil) {
                holding = false;
                advance();
            }
        });
    }

    private byte[] clocks() {
        ByteBuffer b = ByteBuffer.allocate(12 + 12 * upstreams.size()).putLong(droppedBefore).putInt(upstreams.size());
        upstreams.forEach((task, next) -> b.putInt(task).putLong(next));
        return b.array();
    }

    @Override
    public void process(Record<String, byte[]> record) {
        byte[] value = record.value();
        if (value[0] == FleetRecord.WATERMARK) {
            // in order per upstream (one producer, one partition); an empty task's "do not wait for me" (MAX)
            // is replaced by its real progress once it gets events
            upstreams.put(FleetRecord.upstream(value), FleetRecord.nextClose(value));
            advance();
            return;
        }
        FleetRecord.Partial partial = FleetRecord.readPartial(value);
        long start = partial.start();
        if (start < droppedBefore) {
            counters.fleetLate.increment();
            return;
        }
        Aggregate merged = book.window(start).aggregate(partial.aggregate().series);
        merged.merge(partial.aggregate());
        if (book.isClosed(start)) {
            correct(start, merged);
        }
    }

    /** A partial for a window already emitted: re-emit its point, and the 0.0s it now owes to later windows. */
    private void correct(long start, Aggregate merged) {
        counters.fleetCorrections.increment();
        counters.pointsEmitted.add(points.emit(merged, start));
        if (merged.series.kind() != Kind.METER) {
            return;
        }
        long[] before = book.fills.get(merged.series);
        long oldExpiry = before == null ? Long.MIN_VALUE : before[1];
        book.trackMeter(merged);
        long[] after = book.fills.get(merged.series);
        for (long s = start + rules.windowMs; s < book.nextClose && s < after[1]; s += rules.windowMs) {
            Window w = book.windows.get(s);
            if (s >= oldExpiry && (w == null || !w.aggregates.containsKey(merged.series))) {
                points.zero(merged.series, s);
                counters.pointsEmitted.increment();
            }
        }
    }

    private void advance() {
        if (holding) {
            return;
        }
        long low = Long.MAX_VALUE;
        long high = Long.MIN_VALUE;
        for (long next : upstreams.values()) {
            low = Math.min(low, next);
            high = Math.max(high, next);
        }
        if (high == Long.MAX_VALUE) {
            high = Long.MIN_VALUE; // only tasks without events: their "do not wait" moves nothing
            for (long next : upstreams.values()) {
                high = next == Long.MAX_VALUE ? high : Math.max(high, next);
            }
        }
        if (high == Long.MIN_VALUE) {
            return;
        }
        long forced = book.startOf(high - rules.fleetLatenessMs);
        long closeBefore = Math.max(low, forced);
        book.closeThrough(closeBefore - rules.windowMs, true, this::emit);
        if (forced > droppedBefore) {
            book.dropBefore(forced);
            droppedBefore = forced;
        }
    }

    private void emit(long start, Window window) {
        int emitted = 0;
        if (window != null) {
            for (Aggregate a : window.aggregates.values()) {
                emitted += points.emit(a, start);
                if (a.series.kind() == Kind.METER) {
                    book.trackMeter(a);
                }
            }
        }
        int[] zeros = {0};
        book.fillSilent(start, window, meter -> {
            points.zero(meter, start);
            zeros[0]++;
        });
        counters.pointsEmitted.add(emitted + zeros[0]);
    }
}
