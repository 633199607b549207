package dev.riffle.graph;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Python's number formatting, as graphite-web puts numbers into names: {@code %g}, {@code str}, {@code %.2f}. */
final class PyFormat {
    private PyFormat() {
    }

    /** Python's {@code %g}: six significant digits, trailing zeros dropped, exponent below 1e-4 and from 1e6. */
    static String g(double v) {
        if (v == 0) {
            return 1 / v < 0 ? "-0" : "0";
        }
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        BigDecimal rounded = new BigDecimal(v).round(new MathContext(6, RoundingMode.HALF_EVEN));
        int exp = rounded.precision() - rounded.scale() - 1;
        if (exp < -4 || exp >= 6) {
            String mantissa = rounded.movePointLeft(exp).stripTrailingZeros().toPlainString();
            return mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        return rounded.stripTrailingZeros().toPlainString();
    }

    /** Python's {@code str()} of a parsed argument: ints as they are, floats as repr ({@code 0.5}, {@code 1e-05}). */
    static String str(Object v) {
        if (v instanceof Double d) {
            return repr(d);
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return String.valueOf(v);
    }

    /** Python's float repr: the shortest digits that read back, scientific below 1e-4 and from 1e16. */
    static String repr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exp = b.precision() - b.scale() - 1;
        if (exp >= -4 && exp < 16) {
            String plain = b.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = b.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (d < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "")
                + Math.abs(exp);
    }

    /** Python's {@code "%.2f" % v}: the exact binary value rounded half-even. */
    static String fixed2(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        String s = new BigDecimal(v).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
        return v < 0 && !s.startsWith("-") ? "-" + s : s;
    }

    /** Python's {@code round(v, 6)}: the exact binary value rounded half-even to six decimals. */
    static double round6(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        return new BigDecimal(v).setScale(6, RoundingMode.HALF_EVEN).doubleValue();
    }
}
