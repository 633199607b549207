package dev.riffle.topology;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Step 3: the fleet-wide ("all-hosts") points, as the merge of the per-host stage's partials.
 *
 * <p>Each per-host task tells every fleet task how far it has closed its windows (a watermark) and how many
 * per-host tasks there are (the events topic's partitions, from the bridges' ticks). A fleet window is emitted
 * once every per-host task has passed it: tasks that run at different speeds (an instance catching up, a
 * replay) only hold the fleet back, they never make a partial late. Nothing here reads a clock.
 *
 * <p>Where the count of tasks is unknown (events topic without ticks), the fleet waits for the tasks it has
 * heard of. An emitted window is kept for {@code topology.fleet_lateness_ms} behind the slowest task: a partial
 * arriving in that time (from a task not heard of before) merges in and re-emits the corrected point for the
 * same timestamp, which carbon overwrites; one for a window already dropped is counted and dropped.
 */
final class FleetWindows implements Processor<String, byte[], String, byte[]> {
    static final String STORE = "fleet-windows";
    static final String TO_POINTS = "fleet-points-out";
    private static final int CLOCKS_FORMAT = 1;

    private final Rules rules;
    private final TopologyCounters counters;

    private ProcessorContext<String, byte[]> context;
    private PointWriter points;
    private WindowBook book;
    private Journal journal;
    /** per-host task (partition) -> the start of the first window it has not closed yet */
    private final Map<Integer, Long> upstreams = new TreeMap<>();
    private int partitions;
    /** windows before this were dropped: partials for them are too late */
    private long droppedBefore;

    FleetWindows(Rules rules, TopologyCounters counters) {
        this.rules = rules;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        points = new PointWriter(rules, context, TO_POINTS, true, "fleet-" + context.taskId().partition(), counters);
        JournalStore store = context.getStateStore(STORE);
        book = new WindowBook(rules.windowMs);
        journal = new Journal(store);
        upstreams.clear();
        partitions = 0;
        droppedBefore = Long.MIN_VALUE;
        restore(journal.load(book));
        store.beforeCommit(() -> journal.save(book, clocks()));
    }

    private byte[] clocks() {
        return Journal.clocks(CLOCKS_FORMAT, out -> {
            out.writeLong(droppedBefore);
            out.writeInt(partitions);
            out.writeInt(upstreams.size());
            for (Map.Entry<Integer, Long> u : upstreams.entrySet()) {
                out.writeInt(u.getKey());
                out.writeLong(u.getValue());
            }
        });
    }

    private void restore(Journal.Clocks clocks) {
        if (clocks == null) {
            return;
        }
        if (clocks.format() == 0) { // before ticks: no partition count
            ByteBuffer b = ByteBuffer.wrap(clocks.bytes());
            droppedBefore = b.getLong();
            for (int n = b.getInt(); n > 0; n--) {
                upstreams.put(b.getInt(), b.getLong());
            }
            return;
        }
        Journal.readClocks(clocks, STORE, CLOCKS_FORMAT, in -> {
            droppedBefore = in.readLong();
            partitions = in.readInt();
            for (int n = in.readInt(); n > 0; n--) {
                upstreams.put(in.readInt(), in.readLong());
            }
        });
    }

    @Override
    public void process(Record<String, byte[]> record) {
        FleetRecord.Contents contents = FleetRecord.read(record.value());
        if (contents instanceof FleetRecord.Watermark w) {
            // in order per upstream (one producer per task, one partition); never backwards
            upstreams.merge(w.upstream(), w.nextClose(), Math::max);
            partitions = Math.max(partitions, w.partitions());
            advance();
            return;
        }
        FleetRecord.Partial partial = (FleetRecord.Partial) contents;
        long start = partial.start();
        if (start < droppedBefore) {
            counters.fleetLate.increment();
            return;
        }
        Aggregate merged = book.aggregate(start, partial.aggregate().series);
        merged.merge(partial.aggregate());
        if (book.isClosed(start)) {
            counters.fleetCorrections.increment();
            book.correct(start, merged, emitting);
            points.flush();
        }
    }

    private void advance() {
        if (upstreams.isEmpty() || upstreams.size() < partitions) {
            return; // a task not heard of yet may still have partials for any window
        }
        long low = Long.MAX_VALUE;
        for (long next : upstreams.values()) {
            low = Math.min(low, next);
        }
        if (low == Long.MIN_VALUE) {
            return;
        }
        long before = book.nextClose();
        book.closeThrough(low - rules.windowMs, true, emitting);
        if (book.nextClose() != before) {
            // the points, then the alert stage's clock: every point of these windows is before it (README, alerts)
            points.clock(book.nextClose() - rules.windowMs);
        } else {
            points.flush();
        }
        if (book.nextClose() != before) {
            counters.closed.put("fleet-" + context.taskId().partition(), book.nextClose());
            context.commit(); // points become visible at commit: now, not a commit interval later
        }
        long drop = book.startOf(low - rules.fleetLatenessMs);
        if (drop > droppedBefore) {
            book.dropBefore(drop);
            droppedBefore = drop;
        }
    }

    private final WindowBook.Output emitting = new WindowBook.Output() {
        @Override
        public int point(long start, Aggregate a) {
            int n = points.emit(a, start);
            counters.pointsEmitted.add(n);
            return n;
        }

        @Override
        public void zero(long start, Series meter) {
            points.zero(meter, start);
            counters.pointsEmitted.increment();
        }
    };
}
