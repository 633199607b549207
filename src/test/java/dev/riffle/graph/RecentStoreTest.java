package dev.riffle.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.GraphiteGlob;
import dev.riffle.core.Point;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecentStoreTest {
    private static final long T0 = 1_700_000_000L; // a multiple of 5

    @Test
    void compressedBlocksGiveBackEveryValueBitForBit() {
        Random random = new Random(42);
        double[] samples = {0.0, -0.0, 1.0, 1.0, 1.0, 2.5, 1e-300, -1e300, Double.MIN_VALUE, Double.MAX_VALUE, 42.0,
            7.0 / 3, 12.4, 12.4, -3.0};
        GorillaBlock block = new GorillaBlock(T0, samples[0]);
        long[] times = new long[GorillaBlock.MAX_POINTS];
        double[] values = new double[GorillaBlock.MAX_POINTS];
        times[0] = T0;
        values[0] = samples[0];
        long t = T0;
        for (int i = 1; i < GorillaBlock.MAX_POINTS; i++) {
            // mostly regular 5 s steps, with gaps of every size the delta-of-delta encoding has a branch for
            t += switch (i % 9) {
                case 3 -> 5 * (1 + random.nextInt(20));
                case 6 -> 5 * (1 + random.nextInt(500));
                case 8 -> 100_000 + random.nextInt(1000);
                default -> 5;
            };
            double v = i < samples.length ? samples[i] : i % 4 == 0 ? random.nextGaussian() * 1e6
                    : Math.round(random.nextDouble() * 100) / 10.0;
            block.put(t, v);
            times[i] = t;
            values[i] = v;
        }
        assertTrue(block.full());
        long[] gotTimes = new long[GorillaBlock.MAX_POINTS];
        double[] gotValues = new double[GorillaBlock.MAX_POINTS];
        assertEquals(GorillaBlock.MAX_POINTS, block.decode(gotTimes, gotValues));
        assertArrayEquals(times, gotTimes);
        for (int i = 0; i < values.length; i++) {
            assertEquals(Double.doubleToRawLongBits(values[i]), Double.doubleToRawLongBits(gotValues[i]), "point " + i);
        }
    }

    @Test
    void decimalsAreStoredScaledAndComeBackBitForBit() {
        // whole numbers, then one, two and three decimals, then values no scale fits: the block's scale goes down
        double[] v = {3, 12.4, 0.2, -3.75, 1.005, 0.1 + 0.2, Math.PI, -0.0, 1e300, 7, 0.001, 123456.7};
        GorillaBlock block = new GorillaBlock(T0, v[0]);
        for (int i = 1; i < v.length; i++) {
            block.put(T0 + 5L * i, v[i]);
        }
        block.put(T0 + 2, 0.5); // a late one, between the first two
        long[] times = new long[v.length + 1];
        double[] got = new double[v.length + 1];
        assertEquals(v.length + 1, block.decode(times, got));
        assertEquals(0.5, got[1]);
        for (int i = 0; i < v.length; i++) {
            int at = i == 0 ? 0 : i + 1;
            assertEquals(Double.doubleToRawLongBits(v[i]), Double.doubleToRawLongBits(got[at]), "value " + v[i]);
        }
        assertEquals(1, GorillaBlock.bestScale(12.4));
        assertEquals(3, GorillaBlock.bestScale(0.125));
        assertEquals(0, GorillaBlock.bestScale(1.005)); // the double nearest 1.005 is a little below it
        assertEquals(0, GorillaBlock.bestScale(0.1 + 0.2));
    }

    @Test
    void ratesWithOneDecimalTakeAboutThreeBytesAPoint() {
        Random random = new Random(3);
        GorillaBlock block = new GorillaBlock(T0, 12.4);
        for (int i = 1; i < GorillaBlock.MAX_POINTS; i++) {
            block.put(T0 + 5L * i, Math.round(random.nextDouble() * 5000) / 10.0); // 0.0 .. 500.0
        }
        block.seal();
        double perPoint = (block.heapBytes() - GorillaBlock.OVERHEAD_BYTES) / (double) GorillaBlock.MAX_POINTS;
        assertTrue(perPoint < 3.6, "bytes per point " + perPoint);
    }

    @Test
    void aRepeatedValueOnARegularStepCostsAboutTwoBitsAPoint() {
        GorillaBlock block = new GorillaBlock(T0, 0.0);
        for (int i = 1; i < GorillaBlock.MAX_POINTS; i++) {
            block.put(T0 + 5L * i, 0.0);
        }
        block.seal();
        // 16 bytes of header, then one bit for the time and one for the value per point
        assertTrue(block.heapBytes() - GorillaBlock.OVERHEAD_BYTES <= 16 + 2 * GorillaBlock.MAX_POINTS / 8 + 2,
                "bytes " + block.heapBytes());
    }

    @Test
    void lateAndRepeatedPointsAreMergedInTimeOrder() {
        RecentStore store = new RecentStore(1 << 20, 3600, 5);
        store.accept("a.b", new Point(1, T0));
        store.accept("a.b", new Point(3, T0 + 10));
        store.accept("a.b", new Point(2, T0 + 5)); // late: between the two
        store.accept("a.b", new Point(30, T0 + 10)); // a replay after a rewind, with another value
        store.accept("a.b", new Point(0.5, T0 - 5)); // before the first
        assertArrayEquals(new double[] {0.5, 1, 2, 30, Double.NaN}, store.fetch("a.b", T0 - 5, 5));
        assertEquals(4, store.stats().points());
    }

    @Test
    void pointsInOlderBlocksAreMergedIntoTheirBlock() {
        RecentStore store = new RecentStore(1 << 20, 3600, 5);
        int n = GorillaBlock.MAX_POINTS * 3;
        for (int i = 0; i < n; i += 2) { // every other window
            store.accept("a.b", new Point(i, T0 + 5L * i));
        }
        for (int i = 1; i < n; i += 2) { // the missing ones, late
            store.accept("a.b", new Point(i, T0 + 5L * i));
        }
        double[] got = store.fetch("a.b", T0, n);
        for (int i = 0; i < n; i++) {
            assertEquals(i, got[i], "window " + i);
        }
        assertEquals(n, store.stats().points());
    }

    @Test
    void pointsOlderThanTheRetentionAreRefusedAndOldBlocksDropped() {
        RecentStore store = new RecentStore(1 << 24, 600, 5);
        for (int i = 0; i < 2 * GorillaBlock.MAX_POINTS; i++) {
            store.accept("a.b", new Point(i, T0 + 5L * i));
        }
        long newest = T0 + 5L * (2 * GorillaBlock.MAX_POINTS - 1);
        store.accept("quiet.one", new Point(1, newest - 100));
        store.accept("a.b", new Point(-1, newest - 601));
        assertEquals(1, store.stats().pointsTooOld());
        // an hour later: the first blocks and the quiet series are gone
        store.accept("a.b", new Point(7, newest + 3600));
        RecentStore.Stats stats = store.stats();
        assertEquals(1, stats.series());
        assertEquals(1, stats.points());
        assertNull(store.fetch("quiet.one", newest - 100, 1));
        assertEquals(List.of(), store.find(GraphiteGlob.compile("quiet")));
    }

    @Test
    void withMoreLiveSeriesThanTheBudgetHoldsNewOnesAreRefusedNotChurned() {
        long budget = 64 * 1024;
        RecentStore store = new RecentStore(budget, 3600, 5);
        for (int w = 0; w < 20; w++) { // 2,000 series written every window: far more than 64 KiB holds
            for (int i = 0; i < 2000; i++) {
                store.accept("env.host" + i + ".x", new Point(i, T0 + 5L * w));
            }
        }
        RecentStore.Stats stats = store.stats();
        assertTrue(stats.bytes() <= budget, stats.toString());
        int held = stats.series();
        assertTrue(held > 10 && held < 2000, stats.toString());
        // evicting a live series for each new one would have rebuilt ~1,900 series every window (38,000 in all);
        // only the slow growth of the held series' blocks still evicts one now and then
        assertTrue(stats.seriesEvicted() < 2 * held, "live series are not churned: " + stats);
        assertTrue(stats.seriesRefused() > 19 * (2000 - 2 * held), stats.toString());
        long whole = store.paths(GraphiteGlob.compile("env.*.x")).stream()
                .filter(p -> java.util.Arrays.stream(store.fetch(p, T0, 20)).noneMatch(Double::isNaN)).count();
        assertTrue(whole > held / 2, "most series held have every window: " + whole + " of " + held);
        // once some go silent, new ones take their place
        long later = T0 + 5L * 25;
        for (int i = 0; i < held / 2; i++) {
            store.accept("env.host" + i + ".x", new Point(i, later));
        }
        for (int i = 0; i < 10; i++) {
            store.accept("env.new" + i + ".x", new Point(i, later));
        }
        assertEquals(7.0, store.fetch("env.new7.x", later, 1)[0]);
        assertTrue(store.stats().seriesEvicted() >= 10, store.stats().toString());
    }

    @Test
    void overTheBudgetTheSeriesLeastRecentlyWrittenAreEvicted() {
        long budget = 64 * 1024;
        RecentStore store = new RecentStore(budget, 3600, 5);
        // an old series that keeps being written, then many new ones
        for (int w = 0; w < 3 * GorillaBlock.MAX_POINTS; w++) {
            store.accept("keep.alive", new Point(w, T0 + 5L * w));
        }
        long now = T0 + 5L * 3 * GorillaBlock.MAX_POINTS;
        for (int i = 0; i < 2000; i++) {
            store.accept("env.host" + i + ".x", new Point(i, now));
            if (i % 100 == 0) {
                store.accept("keep.alive", new Point(-i, now + 5 + i)); // opens no block: stays where it was
            }
        }
        RecentStore.Stats stats = store.stats();
        assertTrue(stats.bytes() <= budget, stats.toString());
        assertTrue(stats.seriesEvicted() > 1000, stats.toString());

        // the newest series are all there, the first ones gone, and the tree forgot them
        assertEquals(1999.0, store.fetch("env.host1999.x", now, 1)[0]);
        assertNull(store.fetch("env.host0.x", now, 1));
        List<String> hosts = store.paths(GraphiteGlob.compile("env.*.x"));
        int keep = store.paths(GraphiteGlob.compile("keep.alive")).size();
        assertEquals(stats.series(), hosts.size() + keep);
        assertFalse(hosts.contains("env.host0.x"));
        assertTrue(hosts.contains("env.host1998.x"));
    }

    @Test
    void findListsTheNodesOfOneLevelAsBranchesAndLeaves() {
        RecentStore store = new RecentStore(1 << 20, 3600, 5);
        for (String p : List.of("production.all-hosts.page-views.rate-per-second", "production.web1.page-views.count",
                "production.web2.page-views.count", "staging.web1.page-views.count", "production.web1.up",
                "production.web1.up.sub")) {
            store.accept(p, new Point(1, T0));
        }
        assertEquals(List.of(new RecentStore.Found("production", "production", false, true),
                new RecentStore.Found("staging", "staging", false, true)), store.find(GraphiteGlob.compile("*")));
        assertEquals(List.of("production.all-hosts", "production.web1", "production.web2"),
                store.find(GraphiteGlob.compile("production.*")).stream().map(RecentStore.Found::path).toList());
        assertEquals(List.of("production.web2.page-views.count"),
                store.paths(GraphiteGlob.compile("*.web[!1].page-views.count")));
        assertEquals(List.of("production.web1.page-views.count", "staging.web1.page-views.count"),
                store.paths(GraphiteGlob.compile("{production,staging}.web1.page-views.count")));
        // a node that is a series and has children too
        assertEquals(List.of(new RecentStore.Found("production.web1.up", "up", true, true)),
                store.find(GraphiteGlob.compile("production.web1.u?")));
        assertEquals(List.of("production.web1.up", "production.web1.up.sub"),
                store.search("UP", 10));
        assertEquals(List.of(), store.find(GraphiteGlob.compile("nothing.*")));
    }
}
