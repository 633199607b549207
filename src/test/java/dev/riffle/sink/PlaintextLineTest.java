package dev.riffle.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.riffle.core.Point;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class PlaintextLineTest {

    @Test
    void writesPathValueAndSeconds() {
        assertEquals("a.b 2.0 1700000000\n", PlaintextLine.of("a.b", new Point(2.0, 1_700_000_000L)));
    }

    @Test
    void valuesArePlainDecimalsWithoutExponent() {
        assertEquals("0.0000001", PlaintextLine.decimal(1e-7));
        assertEquals("1000000000000000000000.0", PlaintextLine.decimal(1e21));
        assertEquals("0.0", PlaintextLine.decimal(-0.0));
        assertEquals("0.0", PlaintextLine.decimal(0.0));
        assertEquals("-2.5", PlaintextLine.decimal(-2.5));
        assertEquals("0.1", PlaintextLine.decimal(0.1));
        assertEquals("123456789012345.0", PlaintextLine.decimal(123456789012345.0));
        // the double nearest Long.MAX_VALUE, in its shortest round-tripping digits
        assertEquals("9223372036854776000.0", PlaintextLine.decimal(Long.MAX_VALUE));
        assertEquals("12345678.9", PlaintextLine.decimal(12345678.9));
    }

    @Test
    void everyDecimalParsesBackToTheSameDouble() {
        double[] values = {1e-7, 1e21, 1.5e-300, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE,
            Long.MAX_VALUE, (double) Long.MIN_VALUE, 1e15, 1e15 + 1, 0.30000000000000004, 4.35e-5, 1 / 3.0,
            123456789.123, -1e-10, 7e22};
        for (double v : values) {
            String s = PlaintextLine.decimal(v);
            assertFalse(s.contains("E") || s.contains("e") || s.contains(","), s);
            assertEquals(v, Double.parseDouble(s), s);
        }
    }

    @Test
    void shortDecimalsAreTheShortestDigitsThatParseBack() {
        java.util.Random random = new java.util.Random(3);
        for (int n = 0; n < 200_000; n++) {
            int scale = random.nextInt(8);
            double v = (random.nextLong() % 2_000_000_000_000L) / Math.pow(10, scale);
            if (random.nextInt(4) == 0) {
                v = random.nextDouble() * Math.pow(10, random.nextInt(12) - 3);
            }
            String s = PlaintextLine.decimal(v);
            assertEquals(v, Double.parseDouble(s), s);
            if (v != 0 && Math.abs(v) >= 1e-3 && Math.abs(v) < 1e7) { // Double.toString's plain range
                assertEquals(new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros(),
                        new java.math.BigDecimal(s).stripTrailingZeros(), "the same digits as Double.toString");
            }
        }
        assertEquals("0.000001", PlaintextLine.decimal(1e-6));
        assertEquals("-0.05", PlaintextLine.decimal(-0.05));
        assertEquals("999999999.5", PlaintextLine.decimal(999999999.5));
    }

    @Test
    void localeDoesNotMatter() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertEquals("1.5", PlaintextLine.decimal(1.5));
            assertEquals("0.00001", PlaintextLine.decimal(1e-5));
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void nanAndInfinityHaveNoLine() {
        assertNull(PlaintextLine.of("a", new Point(Double.NaN, 1)));
        assertNull(PlaintextLine.of("a", new Point(Double.POSITIVE_INFINITY, 1)));
        assertNull(PlaintextLine.of("a", new Point(Double.NEGATIVE_INFINITY, 1)));
    }
}
