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
}
