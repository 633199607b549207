package dev.riffle.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.Point;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The render and find answers, checked against graphite-web 1.1's documented semantics (whisper's time grid,
 * function names and null handling); {@code GraphiteWebTest} compares with a running graphite-web where it can.
 */
class GraphiteQueryTest {
    private static final long T0 = 1_700_000_000L; // a multiple of 20 and of 10
    private static final double N = Double.NaN;
    private final RecentStore store = new RecentStore(1 << 20, 3600, 10);
    private final GraphiteQuery query = new GraphiteQuery(store);

    GraphiteQueryTest() {
        put("a.x.b", 1, N, 3, 4);
        put("a.y.b", 10, 20, N, 40);
        put("c.d", 1, 3, 2, 5);
    }

    /** Values for the windows T0+10, T0+20, ... (NaN = no point). */
    private void put(String path, double... values) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isNaN(values[i])) {
                store.accept(path, new Point(values[i], T0 + 10L * (i + 1)));
            }
        }
    }

    private List<TimeSeries> render(String... targets) {
        return query.render(List.of(targets), T0, T0 + 40);
    }

    private TimeSeries one(String target) {
        List<TimeSeries> s = render(target);
        assertEquals(1, s.size(), target);
        return s.get(0);
    }

    @Test
    void theGridIsWhispersFromAndUntilRoundedDownPlusOneStep() {
        TimeSeries s = one("a.x.b");
        assertEquals("a.x.b", s.name());
        assertEquals(T0 + 10, s.start()); // from itself is left out, until is in
        assertArrayEquals(new double[] {1, N, 3, 4}, s.values());
        // unaligned: from 7 -> first slot 10; until 33 -> last slot 30
        TimeSeries u = query.render(List.of("a.x.b"), T0 + 7, T0 + 33).get(0);
        assertEquals(T0 + 10, u.start());
        assertArrayEquals(new double[] {1, N, 3}, u.values());
        assertEquals("[{\"target\":\"a.x.b\",\"tags\":{\"name\":\"a.x.b\"},\"datapoints\":[[1.0," + (T0 + 10)
                + "],[null," + (T0 + 20) + "],[3.0," + (T0 + 30) + "]]}]",
                new String(GraphiteQuery.renderJson(List.of(u)), StandardCharsets.UTF_8));
    }

    @Test
    void globsAndSeveralTargetsListEverySeriesSorted() {
        List<TimeSeries> s = render("a.*.b", "c.d", "no.such.series");
        assertEquals(List.of("a.x.b", "a.y.b", "c.d"), s.stream().map(TimeSeries::name).toList());
        assertEquals("a.*.b", s.get(0).pathExpression());
        assertEquals(List.of("a.x.b", "a.y.b"), render("a.{x,y}.b").stream().map(TimeSeries::name).toList());
        assertEquals(List.of("a.y.b"), render("a.[!x].b").stream().map(TimeSeries::name).toList());
    }

    @Test
    void aggregatesSkipNullsAndAreNullWhereEverySeriesIs() {
        TimeSeries sum = one("sumSeries(a.*.b)");
        assertEquals("sumSeries(a.*.b)", sum.name());
        assertArrayEquals(new double[] {11, 20, 3, 44}, sum.values());
        TimeSeries avg = one("averageSeries(a.*.b)");
        assertEquals("averageSeries(a.*.b)", avg.name());
        assertArrayEquals(new double[] {5.5, 20, 3, 22}, avg.values());
        TimeSeries max = one("maxSeries(a.x.b, a.y.b)");
        assertEquals("maxSeries(a.x.b,a.y.b)", max.name());
        assertArrayEquals(new double[] {10, 20, 3, 40}, max.values());
        assertArrayEquals(new double[] {1, N, 3, 4}, one("sumSeries(a.x.b)").values());
        assertEquals(List.of(), render("sumSeries(no.such)"));
        assertArrayEquals(new double[] {2, N, 6, 8}, one("sumSeries(a.x.b, a.x.b)").values());
        assertEquals("sumSeries(a.x.b)", one("sumSeries(a.x.b, a.x.b)").name()); // distinct path expressions
    }

    @Test
    void aliasesRenameAndAliasByNodeReadsTheFirstPathInTheName() {
        assertEquals("X", one("alias(a.x.b, \"X\")").name());
        assertEquals("X", one("alias(a.x.b,'X')").name());
        assertEquals(List.of("x", "y"), render("aliasByNode(a.*.b, 1)").stream().map(TimeSeries::name).toList());
        assertEquals("a.b", one("aliasByNode(sumSeries(a.*.b), 0, -1)").name());
        assertEquals("x", one("aliasByNode(scale(a.x.b, 2), 1)").name());
    }

    @Test
    void scaleNamesItsFactorAsPythonsPercentG() {
        TimeSeries s = one("scale(a.x.b, 2)");
        assertEquals("scale(a.x.b,2)", s.name());
        assertArrayEquals(new double[] {2, N, 6, 8}, s.values());
        assertEquals("scale(a.x.b,0.001)", one("scale(a.x.b,0.001)").name());
        assertEquals("1e-05", PyFormat.g(0.00001));
        assertEquals("1.23457e+06", PyFormat.g(1234567));
        assertEquals("-2.5", PyFormat.g(-2.5));
        assertEquals("100000", PyFormat.g(100000));
    }

    @Test
    void nonNegativeDerivativeIsNullAfterANullOrADrop() {
        TimeSeries d = one("nonNegativeDerivative(c.d)");
        assertEquals("nonNegativeDerivative(c.d)", d.name());
        assertArrayEquals(new double[] {N, 2, N, 3}, d.values());
        // with maxValue the counter wrapped: (max - prev) + val + 1
        assertArrayEquals(new double[] {N, 2, 10, 3}, one("nonNegativeDerivative(c.d, 10)").values());
        assertArrayEquals(new double[] {N, N, N, 1}, one("nonNegativeDerivative(a.x.b)").values());
    }

    @Test
    void summarizeSumsIntoBucketsAlignedToTheInterval() {
        TimeSeries s = one("summarize(a.x.b, \"20s\")");
        assertEquals("summarize(a.x.b, \"20s\", \"sum\")", s.name());
        assertEquals(T0, s.start());
        assertEquals(20, s.step());
        assertArrayEquals(new double[] {1, 3, 4}, s.values());
        assertArrayEquals(new double[] {10, 20, 40}, one("summarize(a.y.b, \"20s\", \"max\")").values());
        assertArrayEquals(new double[] {10, 20, 40}, one("summarize(a.y.b, \"20s\", \"avg\")").values());
        TimeSeries aligned = one("summarize(a.x.b, \"20s\", \"sum\", true)");
        assertEquals("summarize(a.x.b, \"20s\", \"sum\", true)", aligned.name());
        assertEquals(T0 + 10, aligned.start());
        assertArrayEquals(new double[] {1, 7}, aligned.values());
        // T0 is 20 s past a whole minute: the windows T0+10..T0+30 share the minute that starts at T0-20
        TimeSeries minute = one("summarize(c.d, \"1min\", func=\"sum\")");
        assertEquals(T0 - 20, minute.start());
        assertArrayEquals(new double[] {6, 5}, minute.values());
    }

    @Test
    void highestMaxKeepsTheNSeriesWithTheHighestMaximum() {
        assertEquals(List.of("a.y.b"), render("highestMax(a.*.b, 1)").stream().map(TimeSeries::name).toList());
        assertMessage("missing argument n", "highestMax(a.*.b)"); // graphite-web 1.1 requires n too
        assertEquals(List.of("a.y.b", "a.x.b"),
                render("highestMax(a.*.b, 5)").stream().map(TimeSeries::name).toList());
        assertEquals(List.of("a.x.b", "c.d"),
                render("highestMax(a.x.b, 1)", "highestMax(c.d, 1)").stream().map(TimeSeries::name).toList());
        assertEquals(List.of(), render("highestMax(a.*.b, 0)"));
    }

    @Test
    void badTargetsAndTimesAreRefusedWithAMessage() {
        assertMessage("unknown function foo()", "foo(a.x.b)");
        assertMessage("missing ')'", "sumSeries(a.x.b");
        assertMessage("factor must be a number", "scale(a.x.b, \"two\")");
        assertMessage("unclosed '{'", "a.{x.b");
        assertMessage("missing argument newName", "alias(a.x.b)");
        assertMessage("func must be one of", "summarize(a.x.b, \"1min\", \"mean\")");
        assertMessage("must be a series list", "sumSeries(3)");
        assertMessage("unexpected ')'", "a.x.b)");
        QueryException e = assertThrows(QueryException.class, () -> query.render(List.of("a.x.b"), T0, T0));
        assertTrue(e.getMessage().contains("empty time range"), e.getMessage());
        QueryException tooMany = assertThrows(QueryException.class,
                () -> query.render(List.of("a.*.b"), T0 - 10L * GraphiteQuery.MAX_POINTS * 3 / 4, T0)); // 2 x 750k
        assertTrue(tooMany.getMessage().contains("at most " + GraphiteQuery.MAX_POINTS), tooMany.getMessage());
        assertThrows(QueryException.class, () -> GraphiteTime.parse("-5m", T0, ZoneOffset.UTC));
        assertThrows(QueryException.class, () -> GraphiteTime.parse("yesterday-ish", T0, ZoneOffset.UTC));
        assertThrows(QueryException.class, () -> query.findJson(""));
    }

    private void assertMessage(String expected, String target) {
        QueryException e = assertThrows(QueryException.class, () -> render(target));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void graphiteTimesAsGraphiteWebReadsThem() {
        long now = T0 + 123;
        assertEquals(now, GraphiteTime.parse("now", now, ZoneOffset.UTC));
        assertEquals(now - 3600, GraphiteTime.parse("-1h", now, ZoneOffset.UTC));
        assertEquals(now - 300, GraphiteTime.parse("-5min", now, ZoneOffset.UTC));
        assertEquals(now - 300, GraphiteTime.parse("-5minutes", now, ZoneOffset.UTC));
        assertEquals(now - 2 * 86_400, GraphiteTime.parse("-2d", now, ZoneOffset.UTC));
        assertEquals(now - 30, GraphiteTime.parse("now-30s", now, ZoneOffset.UTC));
        assertEquals(1_600_000_000L, GraphiteTime.parse("1600000000", now, ZoneOffset.UTC));
        assertEquals(1_699_965_000L, GraphiteTime.parse("12:30_20231114", now, ZoneOffset.UTC));
        assertEquals(1_699_920_000L, GraphiteTime.parse("20231114", now, ZoneOffset.UTC));
    }

    @Test
    void findAnswersTreejsonWithTheQueryPrefixInTheId() {
        assertEquals("[{\"text\":\"x\",\"id\":\"a.x\",\"leaf\":0,\"expandable\":1,\"allowChildren\":1},"
                + "{\"text\":\"y\",\"id\":\"a.y\",\"leaf\":0,\"expandable\":1,\"allowChildren\":1}]",
                new String(query.findJson("a.*"), StandardCharsets.UTF_8));
        // one entry per name, as graphite-web's tree_json: a.x.b and a.y.b are both "b"
        assertEquals("[{\"text\":\"b\",\"id\":\"a.*.b\",\"leaf\":1,\"expandable\":0,\"allowChildren\":0}]",
                new String(query.findJson("a.*.b"), StandardCharsets.UTF_8));
    }
}
