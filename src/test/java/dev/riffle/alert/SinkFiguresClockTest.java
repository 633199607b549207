package dev.riffle.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sink's own figures reach the alert stage through the points topic, stamped by the sink's wall clock when their
 * 5 s window ends, which is before the topology has written that window (it waits for the grace and the bridges'
 * ticks) and, while the topology catches up, far ahead of it. They are evaluated like any point but never move the
 * partition's clock: else an absence would fire before its series' point of the same window came.
 */
class SinkFiguresClockTest {
    private static final long W = 5_000;
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void aSinkFigureIsEvaluatedButDoesNotMoveTheClock() {
        List<Rule> rules = List.of(EvaluationOracleTest.absent("quiet", "production.*.requests.rate-per-second", W),
                EvaluationOracleTest.threshold("sink-lag", "riffle.sink.*.lag", true, 1000, 0, 0));
        PointEvaluator e = new PointEvaluator(rules, StateView.inMemory(), 1_000);
        assertEquals(List.of(), e.onPoint("production.web1.requests.rate-per-second", T0, 3.0));
        assertEquals(T0, e.clock());

        // the sink closes its window T0 + W (and later ones, the topology lagging) before the topology wrote them
        List<Transition> fired = e.onPoint("riffle.sink.box1.lag", T0 + W, 5000, false);
        assertEquals(1, fired.size(), fired.toString()); // evaluated: its threshold rule fires
        assertEquals(Transition.Status.FIRING, fired.get(0).status());
        assertEquals(List.of(), e.onPoint("riffle.sink.box1.points-written", T0 + 20 * W, 42, false));
        assertEquals(T0, e.clock(), "the sink's figures left the clock where the topology's points put it");

        // the topology's point of window T0 + W comes: no absence fired in between, none fires now
        assertEquals(List.of(), e.onPoint("production.web1.requests.rate-per-second", T0 + W, 3.0));
        assertEquals(T0 + W, e.clock());

        // the same figure as an ordinary point would have moved the clock and fired the absence too early
        PointEvaluator moved = new PointEvaluator(rules, StateView.inMemory(), 1_000);
        moved.onPoint("production.web1.requests.rate-per-second", T0, 3.0);
        List<Transition> early = moved.onPoint("riffle.sink.box1.points-written", T0 + W, 42);
        assertEquals(1, early.size(), early.toString());
        assertEquals("quiet", early.get(0).rule());
    }
}
