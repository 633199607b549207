package dev.riffle.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.EventCodec.MalformedException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The alerts and silences topics' values: versioned JSON that reads back whole, and garbage refused as malformed. */
class AlertFormatsTest {
    @Test
    void aTransitionAndASilenceReadBackWhole() {
        Transition t = new Transition("slow-search", "production.web1.search-time.value.99", Transition.Status.FIRING,
                1_796_000_005_000L, 1_796_000_000_000L, 612.5, Map.of("severity", "page", "alertname", "slow-search"),
                "web1 search p99 612.5 ms (> 500)");
        assertEquals(t, TransitionCodec.decode(TransitionCodec.encode(t)));
        Transition noValue = new Transition("host-silent", "production.web1", Transition.Status.RESOLVED, 5, 1,
                Double.NaN, Map.of(), "");
        assertTrue(Double.isNaN(TransitionCodec.decode(TransitionCodec.encode(noValue)).value()));
        Silence s = new Silence("s1", Map.of("host", "web*", "alertname", "slow-search"), 1, 2, "ops", "deploy");
        assertEquals(s, Silence.decode(s.encode()));
    }

    @Test
    void garbageAndUnknownVersionsAreMalformedNeverAnotherException() {
        for (String text : new String[] {"", "{", "[]", "null", "{\"v\":99,\"rule\":\"r\"}", "{\"v\":1}",
            "{\"v\":1,\"rule\":\"r\",\"series\":\"s\",\"status\":\"nonsense\",\"at_ms\":1,\"starts_at_ms\":1}",
            "{\"v\":1,\"id\":\"x\",\"matchers\":{}}", "{\"v\":1,\"id\":\"x\",\"matchers\":{\"host\":\"a{b\"}}"}) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            assertThrows(MalformedException.class, () -> TransitionCodec.decode(bytes), text);
            assertThrows(MalformedException.class, () -> Silence.decode(bytes), text);
        }
        assertThrows(MalformedException.class, () -> TransitionCodec.decode(null));
        assertThrows(MalformedException.class, () -> Silence.decode(null));
    }

    @Test
    void seriesStatesReadBackWholeAndTheTextVersionIsStillRead() {
        Map<String, SeriesState> states = new LinkedHashMap<>();
        states.put("slow-search", new SeriesState(SeriesState.Status.FIRING, 1_796_000_000_000L, 1_796_000_005_000L,
                1_796_000_010_000L, 612.5));
        states.put("host-silent", new SeriesState(SeriesState.Status.INACTIVE, 5, 5, 5, Double.NaN));
        states.put("x".repeat(100), new SeriesState(SeriesState.Status.PENDING, -1, Long.MIN_VALUE, 0, -0.0));
        byte[] bytes = SeriesState.encodeAll(states);
        assertEquals(3, bytes[0], "version 3 first");
        assertEquals(states, SeriesState.decodeAll(bytes));
        assertEquals(Map.of(), SeriesState.decodeAll(SeriesState.encodeAll(Map.of())));
        // an entry written by the text version 2 (before version 3) reads the same
        String text = "2;slow-search|2|1796000000000|1796000005000|1796000010000|612.5;host-silent|0|5|5|5|NaN";
        Map<String, SeriesState> old = SeriesState.decodeAll(text.getBytes(StandardCharsets.US_ASCII));
        assertEquals(new SeriesState(SeriesState.Status.FIRING, 1_796_000_000_000L, 1_796_000_005_000L,
                1_796_000_010_000L, 612.5), old.get("slow-search"));
        assertTrue(Double.isNaN(old.get("host-silent").value()));
        assertEquals(java.util.List.of("slow-search", "host-silent"), java.util.List.copyOf(old.keySet()));
    }

    @Test
    void damagedSeriesStatesAreRefusedNeverAnException() {
        byte[] good = SeriesState.encodeAll(Map.of("r", new SeriesState(SeriesState.Status.FIRING, 1, 2, 3, 4)));
        for (int cut = 2; cut < good.length; cut++) {
            assertNull(SeriesState.decodeAll(Arrays.copyOf(good, cut)), "cut at " + cut);
        }
        byte[] badStatus = good.clone();
        badStatus[3] = 9;
        assertNull(SeriesState.decodeAll(badStatus));
        byte[] noName = good.clone();
        noName[1] = 0;
        assertNull(SeriesState.decodeAll(noName));
        for (String text : new String[] {"", "9;r|0|1|1|1|1", "2;r|7|1|1|1|1", "2;r|0|x|1|1|1", "2;r|0|1|1|1", "2;r"}) {
            assertNull(SeriesState.decodeAll(text.getBytes(StandardCharsets.US_ASCII)), text);
        }
    }
}
