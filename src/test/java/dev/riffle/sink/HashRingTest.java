package dev.riffle.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HashRingTest {
    private static final int PATHS = 20_000;

    private static String path(int i) {
        return "production.host" + (i % 500) + ".service" + (i / 500) + ".rate-per-second";
    }

    @Test
    void pathsSpreadEvenlyOverEndpoints() {
        HashRing ring = new HashRing(List.of("10.0.0.1:2003", "10.0.0.2:2003", "10.0.0.3:2003"));
        int[] counts = new int[3];
        for (int i = 0; i < PATHS; i++) {
            counts[ring.owner(path(i))]++;
        }
        for (int c : counts) {
            // a third each, within 20 %
            assertTrue(Math.abs(c - PATHS / 3.0) < PATHS / 3.0 * 0.2, java.util.Arrays.toString(counts));
        }
    }

    @Test
    void placementDoesNotDependOnTheOrderOfEndpoints() {
        HashRing a = new HashRing(List.of("a:2003", "b:2003", "c:2003"));
        HashRing b = new HashRing(List.of("c:2003", "a:2003", "b:2003"));
        List<String> namesA = List.of("a:2003", "b:2003", "c:2003");
        List<String> namesB = List.of("c:2003", "a:2003", "b:2003");
        for (int i = 0; i < 2_000; i++) {
            assertEquals(namesA.get(a.owner(path(i))), namesB.get(b.owner(path(i))));
        }
    }

    @Test
    void addingAnEndpointMovesOnlyThePathsItTakes() {
        List<String> three = List.of("a:2003", "b:2003", "c:2003");
        List<String> four = List.of("a:2003", "b:2003", "c:2003", "d:2003");
        HashRing before = new HashRing(three);
        HashRing after = new HashRing(four);
        int moved = 0;
        for (int i = 0; i < PATHS; i++) {
            String was = three.get(before.owner(path(i)));
            String now = four.get(after.owner(path(i)));
            if (!was.equals(now)) {
                assertEquals("d:2003", now, "a path may only move to the new endpoint");
                moved++;
            }
        }
        // about a quarter moves to the new endpoint
        assertTrue(moved > PATHS * 0.15 && moved < PATHS * 0.35, "moved " + moved);
    }

    @Test
    void oneEndpointOwnsEverything() {
        HashRing ring = new HashRing(List.of("only:2003"));
        for (int i = 0; i < 100; i++) {
            assertEquals(0, ring.owner(path(i)));
        }
    }
}
