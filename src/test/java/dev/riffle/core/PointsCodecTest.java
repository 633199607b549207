package dev.riffle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PointsCodecTest {
    private static final SeriesId RATE = SeriesId.host("production", "box1", "requests",
            Statistic.rate("rate-per-second"));
    private static final SeriesId P99 = SeriesId.host("production", "box1", "search-time",
            Statistic.percentile("value", "0.99"));
    private static final SeriesId FLEET = SeriesId.fleet("production", "all-hosts.production", "requests",
            Statistic.rate("rate-per-second"));
    private static final SeriesId GAUGE = SeriesId.host("", "web 1", "disk /var", Statistic.value());
    private static final SeriesId SELF = SeriesId.fleet("", "riffle", "late-events", Statistic.rate("rate-per-second"));

    @Test
    void carbonRefusesExactlyThePathsCarbonCannotTake() {
        String alphabet = "a. \t/0";
        java.util.Random random = new java.util.Random(7);
        GraphiteNames carbon = new GraphiteNames();
        int refused = 0;
        for (int n = 0; n < 100_000; n++) {
            int longPart = random.nextInt(10) == 0 ? 190 + random.nextInt(30) : 0;
            SeriesId id = new SeriesId(text(random, alphabet, 4), text(random, alphabet, 6) + "x".repeat(longPart),
                    random.nextBoolean(), text(random, alphabet, 6), random.nextBoolean() ? Statistic.value()
                    : Statistic.percentile(text(random, "ab ", 3), "0.5"));
            boolean expected = carbon.path(id) == null;
            assertEquals(expected, GraphiteNames.carbonRefuses(id), id.toString());
            refused += expected ? 1 : 0;
        }
        assertTrue(refused > 1_000, "the inputs include refused paths: " + refused);
    }

    private static String text(java.util.Random random, String alphabet, int maxLength) {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(maxLength + 1); i > 0; i--) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    @Test
    void graphitePathsAreRiemannsByteForByte() {
        assertEquals("production.box1.requests.rate-per-second", GraphiteNames.of(RATE));
        assertEquals("production.box1.search-time.value.99", GraphiteNames.of(P99));
        assertEquals("production.all-hosts.requests.rate-per-second", GraphiteNames.of(FLEET));
        assertEquals("riffle.late-events.rate-per-second", GraphiteNames.of(SELF));
        assertEquals("box1.up.occurrences", GraphiteNames.of(SeriesId.host("", "box1", "up",
                Statistic.occurrences("occurrences"))));
        assertEquals("web 1.disk./var", GraphiteNames.of(GAUGE), "as built: the service split on spaces");
        assertEquals("web_1.disk._var", new GraphiteNames().path(GAUGE), "carbon-safe");
        assertEquals(null, new GraphiteNames().path(SeriesId.host("", "...", "", Statistic.value())));
        // the same as the topology's names before typed points: GraphitePath.of(host.env, result service)
        assertEquals(GraphitePath.of("box1.production", "search-time value 0.99"), GraphiteNames.of(P99));
        assertEquals(0.99, P99.statistic().quantileValue());
        assertEquals(RATE.stableHash(), SeriesId.host("production", "box1", "requests", Statistic.value())
                .stableHash(), "every figure of a series hashes alike");
    }

    @Test
    void aRecordOfManyPointsAndClocksRoundTrips() {
        PointsCodec.Builder b = new PointsCodec.Builder();
        b.add(RATE, 2.5, 1_700_000_000L).add(P99, -0.0001, 1_700_000_000L).add(FLEET, 1e21, 1_700_000_005L)
                .add(GAUGE, Double.NaN, 1_699_999_995L).add(SELF, 0, 1_700_000_000L).clock("fleet-0", 1_700_000_005L);
        assertEquals(6, b.count());
        byte[] record = b.build();
        assertTrue(b.isEmpty(), "a build starts the next record");
        assertEquals(PointsCodec.VERSION, record[0]);
        assertEquals(1_700_000_005L, PointsCodec.recordTimeSeconds(record));
        PointsCodec.Contents c = PointsCodec.decode(record);
        assertEquals(List.of(new PointsCodec.SeriesPoint(RATE, new Point(2.5, 1_700_000_000L)),
                new PointsCodec.SeriesPoint(P99, new Point(-0.0001, 1_700_000_000L)),
                new PointsCodec.SeriesPoint(FLEET, new Point(1e21, 1_700_000_005L)),
                new PointsCodec.SeriesPoint(GAUGE, new Point(Double.NaN, 1_699_999_995L)),
                new PointsCodec.SeriesPoint(SELF, new Point(0, 1_700_000_000L))), c.points());
        assertEquals(List.of(new PointsCodec.Clock("fleet-0", 1_700_000_005L)), c.clocks());
    }

    @Test
    void aDictionaryKeepsRepeatedNamesOnce() {
        PointsCodec.Builder b = new PointsCodec.Builder();
        for (int i = 0; i < 1_000; i++) {
            b.add(SeriesId.host("production", "box" + (i % 10), "service-with-a-long-name-" + (i % 20),
                    Statistic.percentile("value", "0.99")), i, 1_700_000_000L);
        }
        byte[] record = b.build();
        assertTrue(record.length < 1_000 * 20, "under 20 bytes a point: " + record.length + " bytes");
    }

    @Test
    void aBuilderIsFullBeforeTheRecordBound() {
        PointsCodec.Builder b = new PointsCodec.Builder();
        int n = 0;
        while (!b.full()) {
            b.add(SeriesId.host("production", "host" + n, "service" + n, Statistic.value()), n, 1_700_000_000L);
            n++;
        }
        byte[] record = b.build();
        assertTrue(record.length <= PointsCodec.MAX_RECORD_BYTES + 200, record.length + " bytes");
        assertEquals(n, PointsCodec.decode(record).points().size());
    }

    @Test
    void thePreviousFormatIsRecognisedAndRefused() {
        byte[] old = "{\"value\":2.0,\"time\":1700000000}".getBytes(StandardCharsets.US_ASCII);
        assertTrue(PointsCodec.isPreviousFormat(old));
        var e = assertThrows(EventCodec.MalformedException.class, () -> PointsCodec.decode(old));
        assertTrue(e.getMessage().contains("format before batches"), e.getMessage());
        assertFalse(PointsCodec.isPreviousFormat(new PointsCodec.Builder().add(RATE, 1, 1).build()));
    }

    @Test
    void garbageUnknownVersionsAndTruncationsAreRefusedNeverThrowOtherwise() {
        byte[] good = new PointsCodec.Builder().add(RATE, 2.5, 1_700_000_000L).add(P99, 3, 1_700_000_000L)
                .clock("host-1", 1_700_000_000L).build();
        byte[] future = good.clone();
        future[0] = 2;
        var e = assertThrows(EventCodec.MalformedException.class, () -> PointsCodec.decode(future));
        assertTrue(e.getMessage().contains("version 2 unknown"), e.getMessage());
        assertThrows(EventCodec.MalformedException.class, () -> PointsCodec.decode(null));
        assertThrows(EventCodec.MalformedException.class, () -> PointsCodec.decode(new byte[0]));
        for (int cut = 1; cut < good.length; cut++) {
            byte[] part = Arrays.copyOf(good, cut);
            assertThrows(EventCodec.MalformedException.class, () -> PointsCodec.decode(part), "cut at " + cut);
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThrows(EventCodec.MalformedException.class, () -> PointsCodec.decode(longer));
        Random random = new Random(19);
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] bad = good.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                bad[1 + random.nextInt(bad.length - 1)] = (byte) random.nextInt(256);
            }
            try {
                PointsCodec.decode(bad); // a flip inside a value or a name can still be a valid record
            } catch (EventCodec.MalformedException expected) {
                refused++;
            }
        }
        assertTrue(refused > 1_000, "most garbled records are refused: " + refused);
    }
}
