package dev.riffle.graph;

import dev.riffle.core.GraphiteGlob;
import dev.riffle.core.GraphiteNames;
import dev.riffle.core.Point;
import dev.riffle.core.PointTarget;
import dev.riffle.core.SeriesId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The recent points of every series the sink saw, in memory, for the graphs page and the Graphite render API: a
 * bounded number of bytes, a bounded time span, the series least recently started on a new block evicted first.
 *
 * <p>Each series is a short list of {@link GorillaBlock}s (Gorilla-compressed points, 120 per block); blocks older
 * than the retention behind the newest point the store has seen are dropped. The byte budget counts the blocks
 * and a fixed estimate per series (its object, its path, its entries in the map and the tree); when it is
 * exceeded, whole series are evicted, oldest first; a new series takes the place of a silent one only, and is
 * refused (counted) while every series held is still being written. The budget figure is an estimate of
 * retained heap, measured against the real heap by {@code scripts/bench-render}.
 *
 * <p>One writer (the sink's consumer thread) and any number of readers (the HTTP threads), under a read-write lock.
 */
public final class RecentStore implements PointTarget {
    /** heap per series besides its blocks and path characters (objects, map entry, tree node and its name), as
     * measured by scripts/bench-render */
    static final int SERIES_OVERHEAD_BYTES = 600;
    /** how many of the oldest series a new one looks through for a silent one to replace */
    private static final int SILENT_SEARCH = 64;

    private final long budgetBytes;
    private final long retentionSeconds;
    private final int stepSeconds;
    private final GraphiteNames names = new GraphiteNames();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** in eviction order: the first entry is the series that least recently opened a block */
    private final LinkedHashMap<String, Series> series = new LinkedHashMap<>();
    private final Node root = new Node(null, "");
    private long bytes;
    private long newestTime = Long.MIN_VALUE;
    private long lastSweepTime = Long.MIN_VALUE;
    private final LongAdder pointsStored = new LongAdder();
    private final LongAdder pointsTooOld = new LongAdder();
    private final LongAdder seriesEvicted = new LongAdder();
    private final LongAdder seriesRefused = new LongAdder();
    /** the newest time at which a look for a silent series to replace found none */
    private long noneSilentAt = Long.MIN_VALUE;

    /**
     * @param budgetBytes the most heap the points may hold (estimated)
     * @param retentionSeconds how far behind the newest point points are kept
     * @param stepSeconds the window length: the step of rendered series
     */
    public RecentStore(long budgetBytes, long retentionSeconds, int stepSeconds) {
        if (budgetBytes <= 0 || retentionSeconds <= 0 || stepSeconds <= 0) {
            throw new IllegalArgumentException("budget, retention and step must be positive");
        }
        this.budgetBytes = budgetBytes;
        this.retentionSeconds = retentionSeconds;
        this.stepSeconds = stepSeconds;
    }

    @Override
    public String name() {
        return "graphs";
    }

    public int stepSeconds() {
        return stepSeconds;
    }

    /** A point of a series, named as carbon names it ({@link GraphiteNames}); called by one feeding thread. */
    @Override
    public boolean accept(SeriesId series, Point point) {
        String path = names.path(series);
        return path == null || accept(path, point);
    }

    /** A point under its carbon-safe Graphite path. */
    public boolean accept(String path, Point point) {
        long time = point.timestampSeconds();
        lock.writeLock().lock();
        try {
            if (time > newestTime) {
                newestTime = time;
            }
            if (time < newestTime - retentionSeconds) {
                pointsTooOld.increment();
                return true;
            }
            Series s = series.get(path);
            if (s == null) {
                if (!roomForNew(path)) {
                    seriesRefused.increment();
                    return true;
                }
                s = new Series(path);
                series.put(path, s);
                addToTree(path);
                bytes += s.overhead();
            }
            bytes += s.put(time, point.value(), series);
            pointsStored.increment();
            if (newestTime - lastSweepTime >= 60 || lastSweepTime == Long.MIN_VALUE) {
                sweep();
            }
            while (bytes > budgetBytes && series.size() > 1) {
                evictOldest();
            }
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Drops the blocks that fell out of the retention, and the series left with none. */
    private void sweep() {
        lastSweepTime = newestTime;
        long oldest = newestTime - retentionSeconds;
        Iterator<Series> it = series.values().iterator();
        while (it.hasNext()) {
            Series s = it.next();
            bytes -= s.dropBefore(oldest);
            if (s.blocks.isEmpty()) {
                it.remove();
                bytes -= s.overhead();
                removeFromTree(s.path);
            }
        }
    }

    /**
     * Whether a new series fits: over the budget, series that went silent (no point for two windows) among the
     * oldest {@value #SILENT_SEARCH} are evicted; when none of them is, the new series is refused. Evicting a live series for
     * a new one would only make room for a while: with more live series than the budget holds, every window
     * would evict and rebuild most of them (measured at 150k series: the sink's thread busy with that, and the
     * heap full of the garbage).
     */
    private boolean roomForNew(String path) {
        long needed = SERIES_OVERHEAD_BYTES + 2L * path.length();
        if (bytes + needed <= budgetBytes) {
            return true;
        }
        if (noneSilentAt == newestTime) {
            return false; // looked at this time already: nothing went silent since (one look per window at most)
        }
        long silentBefore = newestTime - 2L * stepSeconds;
        Iterator<Series> it = series.values().iterator();
        for (int looked = 0; looked < SILENT_SEARCH && it.hasNext() && bytes + needed > budgetBytes; looked++) {
            Series s = it.next();
            GorillaBlock last = s.blocks.peekLast();
            if (last == null || last.lastTime() < silentBefore) {
                it.remove();
                bytes -= s.overhead() + s.blockBytes();
                removeFromTree(s.path);
                seriesEvicted.increment();
            }
        }
        if (bytes + needed > budgetBytes) {
            noneSilentAt = newestTime;
            return false;
        }
        return true;
    }

    private void evictOldest() {
        Iterator<Series> it = series.values().iterator();
        Series s = it.next();
        it.remove();
        bytes -= s.overhead() + s.blockBytes();
        removeFromTree(s.path);
        seriesEvicted.increment();
    }

    // ---- reads

    /** One node of the metric tree answering a find: its full path, and whether it is a series and/or a branch. */
    public record Found(String path, String text, boolean leaf, boolean branch) {
    }

    /** The nodes at the pattern's depth matching it, sorted by path (what {@code /metrics/find} lists). */
    public List<Found> find(GraphiteGlob pattern) {
        lock.readLock().lock();
        try {
            List<Found> out = new ArrayList<>();
            findIn(root, pattern, 0, out);
            out.sort((a, b) -> a.path().compareTo(b.path()));
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    private void findIn(Node node, GraphiteGlob pattern, int depth, List<Found> out) {
        boolean last = depth == pattern.nodeCount() - 1;
        for (Node child : node.children.values()) {
            if (!pattern.matchesNode(depth, child.name)) {
                continue;
            }
            if (last) {
                out.add(new Found(child.path(), child.name, child.leaf, !child.children.isEmpty()));
            } else {
                findIn(child, pattern, depth + 1, out);
            }
        }
    }

    /** The paths of the series matching the pattern, sorted. */
    public List<String> paths(GraphiteGlob pattern) {
        List<String> out = new ArrayList<>();
        for (Found f : find(pattern)) {
            if (f.leaf()) {
                out.add(f.path());
            }
        }
        return out;
    }

    /** Up to {@code max} series paths containing {@code text} (case-insensitive), in path order. */
    public List<String> search(String text, int max) {
        String needle = text.toLowerCase(java.util.Locale.ROOT);
        lock.readLock().lock();
        try {
            List<String> out = new ArrayList<>();
            searchIn(root, needle, max, out);
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    private void searchIn(Node node, String needle, int max, List<String> out) {
        for (Node child : node.children.values()) {
            if (out.size() >= max) {
                return;
            }
            if (child.leaf) {
                String path = child.path();
                if (path.toLowerCase(java.util.Locale.ROOT).contains(needle)) {
                    out.add(path);
                }
            }
            searchIn(child, needle, max, out);
        }
    }

    /** Up to {@code max} series paths whose last node is {@code lastNode} (occurrences: {@code occurrences}). */
    public List<String> pathsEndingWith(String lastNode, int max) {
        lock.readLock().lock();
        try {
            List<String> out = new ArrayList<>();
            collectEndingWith(root, lastNode, max, out);
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    private void collectEndingWith(Node node, String lastNode, int max, List<String> out) {
        for (Node child : node.children.values()) {
            if (out.size() >= max) {
                return;
            }
            if (child.leaf && child.name.equals(lastNode)) {
                out.add(child.path());
            }
            collectEndingWith(child, lastNode, max, out);
        }
    }

    /**
     * The values of one series on the step grid as whisper answers a fetch: the first slot is {@code from} rounded
     * down to the step plus one step, the last is {@code until} rounded down to the step; NaN where no point was
     * stored. Null when the store has no such series.
     */
    public double[] fetch(String path, long firstSlot, int slots) {
        lock.readLock().lock();
        try {
            Series s = series.get(path);
            if (s == null) {
                return null;
            }
            double[] out = new double[slots];
            java.util.Arrays.fill(out, Double.NaN);
            long end = firstSlot + (long) slots * stepSeconds;
            long[] times = new long[GorillaBlock.MAX_POINTS * 2];
            double[] values = new double[GorillaBlock.MAX_POINTS * 2];
            for (GorillaBlock b : s.blocks) {
                if (b.lastTime() < firstSlot || b.firstTime() >= end) {
                    continue;
                }
                if (b.count() > times.length) {
                    times = new long[b.count()];
                    values = new double[b.count()];
                }
                int n = b.decode(times, values);
                for (int i = 0; i < n; i++) {
                    long slot = Math.floorDiv(times[i], stepSeconds) * stepSeconds;
                    if (slot >= firstSlot && slot < end) {
                        out[(int) ((slot - firstSlot) / stepSeconds)] = values[i];
                    }
                }
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Figures for the status and the page. */
    public record Stats(int series, long bytes, long budgetBytes, long points, long pointsStored, long pointsTooOld,
            long seriesEvicted, long seriesRefused, long newestTime) {
    }

    public Stats stats() {
        lock.readLock().lock();
        try {
            long points = 0;
            for (Series s : series.values()) {
                for (GorillaBlock b : s.blocks) {
                    points += b.count();
                }
            }
            return new Stats(series.size(), bytes, budgetBytes, points, pointsStored.sum(), pointsTooOld.sum(),
                    seriesEvicted.sum(), seriesRefused.sum(), newestTime);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The newest point time the store has seen, or {@code Long.MIN_VALUE}. */
    public long newestTime() {
        lock.readLock().lock();
        try {
            return newestTime;
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---- the tree of path nodes

    private void addToTree(String path) {
        Node node = root;
        int start = 0;
        while (true) {
            int dot = path.indexOf('.', start);
            String name = dot < 0 ? path.substring(start) : path.substring(start, dot);
            Node parent = node;
            node = parent.children.computeIfAbsent(name, n -> new Node(parent, n));
            if (dot < 0) {
                node.leaf = true;
                return;
            }
            start = dot + 1;
        }
    }

    private void removeFromTree(String path) {
        Node node = root;
        for (String name : path.split("\\.", -1)) {
            node = node.children.get(name);
            if (node == null) {
                return;
            }
        }
        node.leaf = false;
        while (node.parent != null && !node.leaf && node.children.isEmpty()) {
            node.parent.children.remove(node.name);
            node = node.parent;
        }
    }

    private static final class Node {
        final Node parent;
        final String name;
        final Map<String, Node> children = new TreeMap<>();
        boolean leaf;

        Node(Node parent, String name) {
            this.parent = parent;
            this.name = name;
        }

        String path() {
            StringBuilder b = new StringBuilder(name);
            for (Node n = parent; n != null && n.parent != null; n = n.parent) {
                b.insert(0, '.').insert(0, n.name);
            }
            return b.toString();
        }
    }

    private static final class Series {
        final String path;
        final ArrayDeque<GorillaBlock> blocks = new ArrayDeque<>(8);

        Series(String path) {
            this.path = path;
        }

        int overhead() {
            return SERIES_OVERHEAD_BYTES + 2 * path.length();
        }

        long blockBytes() {
            long n = 0;
            for (GorillaBlock b : blocks) {
                n += b.heapBytes();
            }
            return n;
        }

        /** Stores a point; returns the change in heap bytes. Moves the series to the end when it opens a block. */
        long put(long time, double value, LinkedHashMap<String, Series> order) {
            GorillaBlock last = blocks.peekLast();
            if (last == null || (time > last.lastTime() && last.full())) {
                if (last != null) {
                    long before = last.heapBytes();
                    last.seal();
                    long sealed = last.heapBytes() - before;
                    GorillaBlock b = new GorillaBlock(time, value);
                    blocks.addLast(b);
                    order.remove(path);
                    order.put(path, this);
                    return sealed + b.heapBytes();
                }
                GorillaBlock b = new GorillaBlock(time, value);
                blocks.addLast(b);
                return b.heapBytes();
            }
            // the newest block whose first point is not later than the time, else the oldest block
            GorillaBlock target = blocks.peekFirst();
            Iterator<GorillaBlock> back = blocks.descendingIterator();
            while (back.hasNext()) {
                GorillaBlock b = back.next();
                if (b.firstTime() <= time) {
                    target = b;
                    break;
                }
            }
            long before = target.heapBytes();
            target.put(time, value);
            return target.heapBytes() - before;
        }

        /** Drops the blocks whose points are all older than {@code oldest}; returns the bytes freed. */
        long dropBefore(long oldest) {
            long freed = 0;
            while (!blocks.isEmpty() && blocks.peekFirst().lastTime() < oldest) {
                freed += blocks.pollFirst().heapBytes();
            }
            return freed;
        }
    }
}
