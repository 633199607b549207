package dev.riffle.sink;

import dev.riffle.core.Point;
import java.math.BigDecimal;

/**
 * Graphite's plaintext protocol: {@code <path> <value> <unix seconds>\n}.
 *
 * <p>Values are written as plain decimals that round-trip to the same double: no exponent (Java writes
 * {@code 1.0E-7} and {@code 1.0E21}), no locale, always a decimal point ({@code 2.0}), and {@code -0.0} as
 * {@code 0.0}. NaN and infinities have no line at all: carbon would store NaN as a gap and choke on nothing else,
 * but Graphite functions treat infinity as a real value, so both are counted and skipped by the sink.
 */
final class PlaintextLine {
    /** Integral values below this are exact in a double and can be printed through a long. */
    private static final double EXACT_LONG = 1e15;

    private PlaintextLine() {
    }

    /** The line for a point whose path is already sanitised, or null when the value is NaN or infinite. */
    static String of(String path, Point point) {
        if (!Double.isFinite(point.value())) {
            return null;
        }
        return path + ' ' + decimal(point.value()) + ' ' + point.timestampSeconds() + '\n';
    }

    /** A finite double as a plain decimal carbon parses back to the same value. */
    static String decimal(double v) {
        if (v == 0) {
            return "0.0"; // also -0.0: carbon has no use for the sign of zero
        }
        if (v == Math.rint(v) && Math.abs(v) < EXACT_LONG) {
            return (long) v + ".0";
        }
        String shortest = Double.toString(v); // the shortest digits that round-trip, maybe with an exponent
        if (shortest.indexOf('E') < 0) {
            return shortest;
        }
        String plain = new BigDecimal(shortest).stripTrailingZeros().toPlainString();
        return plain.indexOf('.') < 0 ? plain + ".0" : plain;
    }
}
