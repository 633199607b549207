package dev.riffle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.regex.Pattern;
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

    /** The convention as first written (splits and patterns): the one-pass builder must name every input alike. */
    private static String byPatterns(String host, String service) {
        StringBuilder path = new StringBuilder();
        String[] hostParts = host.split("\\.");
        for (int i = hostParts.length - 1; i >= 0; i--) {
            appendPart(path, hostParts[i]);
        }
        for (String part : Pattern.compile(" +").split(service.trim())) {
            var fraction = Pattern.compile("0\\.(\\d+)").matcher(part);
            appendPart(path, fraction.matches() ? fraction.group(1) : part);
        }
        return path.toString();
    }

    private static void appendPart(StringBuilder path, String part) {
        if (!part.isEmpty()) {
            path.append(path.length() > 0 ? "." : "").append(part);
        }
    }

    @Test
    void namesRandomInputsAsTheSplitAndPatternVersionDid() {
        String alphabet = "ab0.9 .\t\u00e9-_0.1";
        Random random = new Random(19);
        for (int n = 0; n < 200_000; n++) {
            String host = randomText(random, alphabet);
            String service = randomText(random, alphabet);
            assertEquals(byPatterns(host, service), GraphitePath.of(host, service), host + " | " + service);
        }
        assertEquals("", GraphitePath.of("", ""));
        assertEquals("", GraphitePath.of("...", "   "));
        assertEquals("a.0.", GraphitePath.of("a", "0."));
        assertEquals("a.0.9x.9", GraphitePath.of("a", "0.9x 0.9"));
    }

    private static String randomText(Random random, String alphabet) {
        int length = random.nextInt(12);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
