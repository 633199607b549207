package dev.riffle.graph;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Graphite's {@code from} / {@code until} syntax as graphite-web reads it: {@code now}, a relative offset
 * ({@code -1h}, {@code -5min}, {@code -30s}, {@code -2d}, {@code -1w}, {@code -1mon}, {@code -1y}; units may be
 * spelt out, {@code m} alone is refused as graphite-web does), epoch seconds, {@code HH:MM_YYYYMMDD} and
 * {@code YYYYMMDD} (in the given time zone), and offsets from those ({@code now-1h}).
 */
public final class GraphiteTime {
    private static final DateTimeFormatter HHMM_DATE = DateTimeFormatter.ofPattern("HH:mm_yyyyMMdd", Locale.ROOT);
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);

    private GraphiteTime() {
    }

    /** Epoch seconds for {@code text}, relative ones counted from {@code nowSeconds}. */
    public static long parse(String text, long nowSeconds, ZoneId zone) {
        String s = text.trim().toLowerCase(Locale.ROOT).replace(",", "").replace(" ", "");
        if (s.isEmpty()) {
            throw new QueryException("empty time");
        }
        if (s.equals("now")) {
            return nowSeconds;
        }
        if (s.startsWith("-") || s.startsWith("+")) {
            return nowSeconds + offsetSeconds(s);
        }
        if (s.startsWith("now")) {
            return nowSeconds + offsetSeconds(s.substring(3));
        }
        if (s.chars().allMatch(Character::isDigit) && s.length() != 8) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new QueryException("bad time '" + text + "'");
            }
        }
        try {
            if (s.length() == 8) {
                return LocalDate.parse(s, DATE).atStartOfDay(zone).toEpochSecond();
            }
            return LocalDateTime.parse(s, HHMM_DATE).atZone(zone).toEpochSecond();
        } catch (DateTimeParseException e) {
            throw new QueryException("bad time '" + text + "': expected now, -1h, -5min, epoch seconds, "
                    + "HH:MM_YYYYMMDD or YYYYMMDD");
        }
    }

    /** {@code -1h} -> -3600; {@code 5min} -> 300 (a missing sign is +). */
    public static long offsetSeconds(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        int sign = 1;
        if (s.startsWith("-") || s.startsWith("+")) {
            sign = s.charAt(0) == '-' ? -1 : 1;
            s = s.substring(1);
        }
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0 || i == s.length()) {
            throw new QueryException("bad time offset '" + text + "': expected a number and a unit such as -1h");
        }
        long n;
        try {
            n = Long.parseLong(s.substring(0, i));
        } catch (NumberFormatException e) {
            throw new QueryException("bad time offset '" + text + "'");
        }
        return sign * n * unitSeconds(s.substring(i), text);
    }

    private static long unitSeconds(String unit, String text) {
        if (unit.startsWith("s")) {
            return 1;
        }
        if (unit.startsWith("min")) {
            return 60;
        }
        if (unit.startsWith("h")) {
            return 3600;
        }
        if (unit.startsWith("d")) {
            return 86_400;
        }
        if (unit.startsWith("w")) {
            return 7 * 86_400;
        }
        if (unit.startsWith("mon")) {
            return 30 * 86_400;
        }
        if (unit.startsWith("y")) {
            return 365 * 86_400;
        }
        throw new QueryException("bad time unit '" + unit + "' in '" + text
                + "': expected s, min, h, d, w, mon or y");
    }
}
