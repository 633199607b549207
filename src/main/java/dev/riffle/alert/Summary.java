package dev.riffle.alert;

import java.math.BigDecimal;
import java.util.Map;

/** The summary template: {@code {name}} is replaced by the variable of that name; unknown names stay as written. */
final class Summary {
    private Summary() {
    }

    static String fill(String template, Map<String, String> vars) {
        StringBuilder out = new StringBuilder(template.length() + 32);
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            int close = c == '{' ? template.indexOf('}', i) : -1;
            if (close > i && vars.containsKey(template.substring(i + 1, close))) {
                out.append(vars.get(template.substring(i + 1, close)));
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** 612.0 -> 612, 0.25 -> 0.25, 1/3 -> 0.333 (three decimals at most). */
    static String number(double v) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        BigDecimal d = BigDecimal.valueOf(v).setScale(3, java.math.RoundingMode.HALF_UP).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    }
}
