package dev.riffle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GraphitePathTest {
    @Test
    void reversesHostPartsAndSplitsServiceOnSpaces() {
        assertEquals("production.box1.search-time.value.99",
                GraphitePath.of("box1.production", "search-time value 0.99"));
        assertEquals("production.box1.foo.rate-per-second", GraphitePath.of("box1.production", "foo rate-per-second"));
    }

    @Test
    void percentilePartsLoseTheirLeadingZero() {
        assertEquals("h.s.value.5", GraphitePath.of("h", "s value 0.5"));
        assertEquals("h.s.value.75", GraphitePath.of("h", "s value 0.75"));
        assertEquals("h.s.value.1", GraphitePath.of("h", "s value 1"));
    }

    @Test
    void fleetPseudoHostIsReversedLikeAnyOther() {
        assertEquals("production.all-hosts.api.requests.rate-per-second",
                GraphitePath.of("all-hosts.production", "api requests rate-per-second"));
    }

    @Test
    void emptyPartsFromRepeatedSeparatorsAreDropped() {
        assertEquals("c.b.a.x.y", GraphitePath.of("a..b.c", " x  y "));
    }
}
