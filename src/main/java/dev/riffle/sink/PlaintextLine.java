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

    /**
     * The value in at most six decimals when those parse back to it, else null: most points (rates, percentiles of
     * milliseconds) are such, and this costs a fraction of {@link Double#toString} on Java 17. Below 1e9 a step of
     * 1e-6 is wider than a double's, so the six-decimal form that parses back is the only one, hence the shortest.
     */
    private static String sixDecimals(double v) {
        if (!(Math.abs(v) < 1e9)) {
            return null;
        }
        long micros = Math.round(v * 1e6);
        if (micros / 1e6 != v) {
            return null;
        }
        StringBuilder s = new StringBuilder(24);
        if (micros < 0) {
            s.append('-');
            micros = -micros;
        }
        s.append(micros / 1_000_000).append('.');
        long fraction = micros % 1_000_000;
        int digits = 6;
        while (digits > 1 && fraction % 10 == 0) {
            fraction /= 10;
            digits--;
        }
        String f = Long.toString(fraction);
        for (int i = f.length(); i < digits; i++) {
            s.append('0');
        }
        return s.append(f).toString();
    }

    /** A finite double as a plain decimal carbon parses back to the same value. */
    static String decimal(double v) {
        if (v == 0) {
            return "0.0"; // also -0.0: carbon has no use for the sign of zero
        }
        if (v == Math.rint(v) && Math.abs(v) < EXACT_LONG) {
            return (long) v + ".0";
        }
        String fixed = sixDecimals(v);
        if (fixed != null) {
            return fixed;
        }
        String shortest = Double.toString(v); // the shortest digits that round-trip, maybe with an exponent
        if (shortest.indexOf('E') < 0) {
            return shortest;
        }
        String plain = new BigDecimal(shortest).stripTrailingZeros().toPlainString();
        return plain.indexOf('.') < 0 ? plain + ".0" : plain;
    }
}
