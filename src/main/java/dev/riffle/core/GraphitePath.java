package dev.riffle.core;

/**
 * Riemann's Graphite path convention: host parts reversed, then the service split on spaces, all joined with
 * dots; a percentile part such as {@code 0.99} loses its leading {@code 0.} so that it stays one path segment.
 *
 * <p>{@code box1.production} + {@code search-time value 0.99} -> {@code production.box1.search-time.value.99}
 *
 * <p>Precisely: the host is split on dots and its non-empty parts are taken last first; the service, trimmed of
 * leading and trailing characters up to U+0020 (as {@link String#trim}), is split on runs of spaces, and a part
 * that is {@code 0.} followed by one or more ASCII digits keeps only the digits. Built by one pass over the
 * characters (no split or pattern), since every point of every target is named by it.
 */
public final class GraphitePath {
    private GraphitePath() {
    }

    public static String of(String host, String service) {
        StringBuilder path = new StringBuilder(host.length() + service.length() + 8);
        int end = host.length();
        for (int dot = host.lastIndexOf('.', end - 1); ; dot = host.lastIndexOf('.', end - 1)) {
            append(path, host, dot + 1, end);
            if (dot < 0) {
                break;
            }
            end = dot;
        }
        int from = 0;
        int to = service.length();
        while (from < to && service.charAt(from) <= ' ') {
            from++;
        }
        while (to > from && service.charAt(to - 1) <= ' ') {
            to--;
        }
        for (int i = from; i < to; ) {
            int partEnd = service.indexOf(' ', i);
            if (partEnd < 0 || partEnd > to) {
                partEnd = to;
            }
            int start = isFraction(service, i, partEnd) ? i + 2 : i;
            append(path, service, start, partEnd);
            i = partEnd;
            while (i < to && service.charAt(i) == ' ') {
                i++;
            }
        }
        return path.toString();
    }

    /** {@code 0.} then one or more ASCII digits, the whole part. */
    private static boolean isFraction(String s, int from, int to) {
        if (to - from < 3 || s.charAt(from) != '0' || s.charAt(from + 1) != '.') {
            return false;
        }
        for (int i = from + 2; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static void append(StringBuilder path, String s, int from, int to) {
        if (from >= to) {
            return;
        }
        if (path.length() > 0) {
            path.append('.');
        }
        path.append(s, from, to);
    }
}
