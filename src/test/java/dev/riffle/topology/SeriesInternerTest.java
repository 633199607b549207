package dev.riffle.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class SeriesInternerTest {
    static Series series(String host) {
        return new Series(new String(host), "req", Kind.METER, "all-hosts.production");
    }

    @Test
    void equalSeriesGetOneInstanceWhileTheyAreSeenAndAreForgottenTwoGenerationsAfter() {
        SeriesInterner names = new SeriesInterner();
        Series a = names.intern(series("a.production"));
        assertSame(a, names.intern(series("a.production")));
        Series b = names.intern(series("b.production"));
        names.rotate();
        assertSame(a, names.intern(series("a.production")), "seen in the last generation: kept");
        names.rotate();
        assertSame(a, names.intern(series("a.production")), "seen in every generation: kept");
        assertNotSame(b, names.intern(series("b.production")), "not seen for two generations: forgotten");
        assertEquals(2, names.size());
    }

    @Test
    void aClosingWindowsOrderIsTheSeriesOrderAlsoForEqualHashes() {
        java.util.Random r = new java.util.Random(7);
        java.util.List<Series> all = new java.util.ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            // "Aa" and "BB" have the same String hash: collisions of the stable hash are certain here
            String host = (r.nextBoolean() ? "Aa" : "BB") + (r.nextBoolean() ? "Aa" : "BB") + ".h" + r.nextInt(20);
            Kind kind = Kind.values()[r.nextInt(Kind.values().length)];
            all.add(new Series(r.nextInt(10) == 0 ? null : host, "s" + r.nextInt(30), kind,
                    r.nextBoolean() ? null : "all-hosts"));
        }
        Series[] sorted = all.toArray(new Series[0]);
        WindowBook.inSeriesOrder(sorted, s -> s);
        java.util.List<Series> expected = new java.util.ArrayList<>(all);
        expected.sort(Series.ORDER);
        assertEquals(expected, java.util.List.of(sorted));
    }
}
