package dev.riffle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class CarbonPathTest {

    @Test
    void cleanPathsPassUnchanged() {
        String path = "production.box1.search-time.value.99";
        assertSame(path, CarbonPath.sanitise(path));
        assertEquals("a.B_c-d:e+f%g@h#i.0", CarbonPath.sanitise("a.B_c-d:e+f%g@h#i.0"));
    }

    @Test
    void spacesControlAndSpecialCharactersBecomeUnderscores() {
        assertEquals("a.b_c", CarbonPath.sanitise("a.b c"));
        assertEquals("a.b_c_d", CarbonPath.sanitise("a.b\tc\nd"));
        assertEquals("a.b___", CarbonPath.sanitise("a.b\u0000\u007f\r"));
        assertEquals("disk._var_log.used", CarbonPath.sanitise("disk./var/log.used"));
        assertEquals("a_tag_x.b", CarbonPath.sanitise("a;tag=x.b"));
        assertEquals("cpu_.f__x_", CarbonPath.sanitise("cpu*.f(*x)"));
    }

    @Test
    void nonAsciiIsOneUnderscorePerCharacter() {
        assertEquals("caf_.m_nchen", CarbonPath.sanitise("caf\u00e9.m\u00fcnchen"));
        assertEquals("smile_.x", CarbonPath.sanitise("smile\uD83D\uDE00.x")); // one code point, two chars
    }

    @Test
    void emptySegmentsCollapse() {
        assertEquals("a.b.c", CarbonPath.sanitise(".a..b...c."));
        assertEquals("a._.b", CarbonPath.sanitise("a. .b"));
    }

    @Test
    void nothingLeftOrTooLongIsRefused() {
        assertNull(CarbonPath.sanitise(""));
        assertNull(CarbonPath.sanitise("..."));
        assertNull(CarbonPath.sanitise(null));
        assertNull(CarbonPath.sanitise("a." + "x".repeat(CarbonPath.MAX_SEGMENT + 1)));
        assertEquals(CarbonPath.MAX_SEGMENT + 2, CarbonPath.sanitise("a." + "x".repeat(CarbonPath.MAX_SEGMENT)).length());
        assertNull(CarbonPath.sanitise("abcdefghi.".repeat(CarbonPath.MAX_PATH / 10 + 1)));
        assertNull(CarbonPath.sanitise("a b." + "x".repeat(CarbonPath.MAX_SEGMENT + 1)));
    }
}
