package dev.riffle.sink;

import dev.riffle.core.Point;
import java.math.BigDecimal;

/** Graphite's plaintext protocol: {@code <path> <value> <unix seconds>\n}. */
final class PlaintextLine {
    private PlaintextLine() {
    }

    /** The line for a point, or null when carbon could not store it (NaN or infinite value). */
    static String of(String path, Point point) {
        if (!Double.isFinite(point.value())) {
            return null;
        }
        // plain decimal: carbon parses "0.0001" but no locale digits, and BigDecimal never writes an exponent
        String value = BigDecimal.valueOf(point.value()).toPlainString();
        return path + " " + value + " " + point.timestampSeconds() + "\n";
    }
}
