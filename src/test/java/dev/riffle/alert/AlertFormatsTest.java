package dev.riffle.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.EventCodec.MalformedException;
import java.nio.charset.StandardCharsets;
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
}
