package dev.riffle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GraphiteGlobTest {
    @Test
    void aStarMatchesOneWholeNodeAndNeverADot() {
        GraphiteGlob g = GraphiteGlob.compile("production.*.search-time.value.99");
        assertTrue(g.matches("production.box1.search-time.value.99"));
        assertTrue(g.matches("production.all-hosts.search-time.value.99"));
        assertFalse(g.matches("production.box1.web.search-time.value.99"));
        assertFalse(g.matches("production.box1.search-time.value.95"));
        assertFalse(g.matches("production.box1.search-time.value"));
        assertFalse(g.matches("production.box1.search-time.value.99.x"));
        assertEquals(5, g.nodeCount());
        assertFalse(g.isLiteral());
    }

    @Test
    void bracesClassesAndQuestionMarksWorkInsideANode() {
        assertTrue(GraphiteGlob.compile("a.{b,c}d.e").matches("a.cd.e"));
        assertFalse(GraphiteGlob.compile("a.{b,c}d.e").matches("a.xd.e"));
        assertTrue(GraphiteGlob.compile("a.box[12].x").matches("a.box2.x"));
        assertFalse(GraphiteGlob.compile("a.box[12].x").matches("a.box3.x"));
        assertTrue(GraphiteGlob.compile("a.box[0-9].x").matches("a.box7.x"));
        assertTrue(GraphiteGlob.compile("a.box[!1].x").matches("a.box2.x"));
        assertFalse(GraphiteGlob.compile("a.box[!1].x").matches("a.box1.x"));
        assertTrue(GraphiteGlob.compile("a.box?.x").matches("a.box9.x"));
        assertFalse(GraphiteGlob.compile("a.box?.x").matches("a.box10.x"));
        assertTrue(GraphiteGlob.compile("a.{box*,web}.x").matches("a.box10.x"));
        assertTrue(GraphiteGlob.compile("a.box[-_].x").matches("a.box_.x"));
        assertTrue(GraphiteGlob.compile("a.box[+^].x").matches("a.box^.x"));
        assertTrue(GraphiteGlob.compile("a.b+c.x").matches("a.b+c.x")); // regex characters are literal
        assertFalse(GraphiteGlob.compile("a.b+c.x").matches("a.bbc.x"));
    }

    @Test
    void aLiteralPatternNamesOnePath() {
        GraphiteGlob g = GraphiteGlob.compile("production.box1.foo.rate-per-second");
        assertTrue(g.isLiteral());
        assertTrue(g.matches("production.box1.foo.rate-per-second"));
        assertFalse(g.matches("production.box1.foo.rate-per-secon"));
        assertTrue(g.matchesNode(1, "box1"));
    }

    @Test
    void malformedPatternsAreRefusedWithTheReason() {
        assertThrows(IllegalArgumentException.class, () -> GraphiteGlob.compile(""));
        assertThrows(IllegalArgumentException.class, () -> GraphiteGlob.compile("a.{b,c.d"));
        assertThrows(IllegalArgumentException.class, () -> GraphiteGlob.compile("a.b}.c"));
        assertThrows(IllegalArgumentException.class, () -> GraphiteGlob.compile("a.[bc.d"));
        assertThrows(IllegalArgumentException.class, () -> GraphiteGlob.compile("a..b"));
    }
}
