package dev.riffle.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.PointsCodec;
import dev.riffle.core.SeriesId;
import dev.riffle.core.SinkFigures;
import dev.riffle.core.Statistic;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelfMetricsTest {

    @Test
    void oneLinePerFigureForEachEndedWindowStampedWithItsStart() {
        SelfMetrics self = new SelfMetrics("riffle", "box1.example");
        assertEquals(List.of(), self.close(1_700_000_002_000L, new SelfMetrics.Figures(100, 1, 0, 1, 0)));
        assertFalse(self.due(1_700_000_004_999L));
        assertTrue(self.due(1_700_000_005_000L));
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
    void theFiguresAreTheSelfHostsFleetSeriesThatTheAlertStageKnowsAsTheSinks() {
        SelfMetrics self = new SelfMetrics("riffle", "box1");
        assertTrue(self.due(1_700_000_002_000L), "due the first time, to start a window");
        self.close(1_700_000_002_000L, new SelfMetrics.Figures(0, 0, 0, 1, 0));
        for (PointsCodec.SeriesPoint p : self.close(1_700_000_005_000L, new SelfMetrics.Figures(5, 0, 0, 1, 0))) {
            assertEquals(SeriesId.fleet("", "riffle", "sink box1 " + p.id().service().substring(10),
                    Statistic.value()), p.id());
            assertTrue(SinkFigures.is(p.id(), "riffle"), p.id().toString());
            assertFalse(SinkFigures.is(p.id(), "other-self-host"), p.id().toString());
        }
        // an application's all-hosts series of a service named "sink ..." is not one of them
        assertFalse(SinkFigures.is(SeriesId.fleet("", "all-hosts", "sink writes", Statistic.value()), "riffle"));
        assertFalse(SinkFigures.is(SeriesId.host("", "riffle", "sink box1 lag", Statistic.value()), "riffle"));
    }

    @Test
    void anUnknownLagIsLeftOut() {
        SelfMetrics self = new SelfMetrics("riffle", "s");
        self.close(10_000L, new SelfMetrics.Figures(0, 0, 0, 1, 0));
        List<String> lines = SelfMetrics.lines(self.close(15_000L, new SelfMetrics.Figures(0, 0, -1, 1, 0)));
        assertEquals(4, lines.size());
        assertFalse(lines.stream().anyMatch(l -> l.contains(".lag ")));
    }
}
