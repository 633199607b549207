package dev.riffle.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SelfMetricsTest {

    @Test
    void oneLinePerFigureForEachEndedWindowStampedWithItsStart() {
        SelfMetrics self = new SelfMetrics("box1.example");
        assertEquals(List.of(), self.close(1_700_000_002_000L, new SelfMetrics.Figures(100, 1, 0, 1, 0)));
        assertFalse(self.windowEnded(1_700_000_004_999L));
        assertTrue(self.windowEnded(1_700_000_005_000L));
        List<String> lines = SelfMetrics.lines(self.close(1_700_000_005_100L,
                new SelfMetrics.Figures(350, 3, 42, 2, 1)));
        assertEquals(List.of(
                "riffle.sink.box1_example.points-written 250.0 1700000000\n",
                "riffle.sink.box1_example.points-skipped 2.0 1700000000\n",
                "riffle.sink.box1_example.lag 42.0 1700000000\n",
                "riffle.sink.box1_example.carbon-connected 2.0 1700000000\n",
                "riffle.sink.box1_example.carbon-outages 1.0 1700000000\n"), lines);
    }

    @Test
    void anUnknownLagIsLeftOut() {
        SelfMetrics self = new SelfMetrics("s");
        self.close(10_000L, new SelfMetrics.Figures(0, 0, 0, 1, 0));
        List<String> lines = SelfMetrics.lines(self.close(15_000L, new SelfMetrics.Figures(0, 0, -1, 1, 0)));
        assertEquals(4, lines.size());
        assertFalse(lines.stream().anyMatch(l -> l.contains(".lag ")));
    }
}
