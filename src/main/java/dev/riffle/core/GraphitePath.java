package dev.riffle.core;

import java.util.regex.Pattern;

/**
 * Riemann's Graphite path convention: host parts reversed, then the service split on spaces, all joined with
 * dots; a percentile part such as {@code 0.99} loses its leading {@code 0.} so that it stays one path segment.
 *
 * <p>{@code box1.production} + {@code search-time value 0.99} -> {@code production.box1.search-time.value.99}
 */
public final class GraphitePath {
    private static final Pattern SPACES = Pattern.compile(" +");
    private static final Pattern FRACTION = Pattern.compile("0\\.(\\d+)");

    private GraphitePath() {
    }

    public static String of(String host, String service) {
        StringBuilder path = new StringBuilder(host.length() + service.length() + 8);
        String[] hostParts = host.split("\\.");
        for (int i = hostParts.length - 1; i >= 0; i--) {
            append(path, hostParts[i]);
        }
        for (String part : SPACES.split(service.trim())) {
            var fraction = FRACTION.matcher(part);
            append(path, fraction.matches() ? fraction.group(1) : part);
        }
        return path.toString();
    }

    private static void append(StringBuilder path, String part) {
        if (part.isEmpty()) {
            return;
        }
        if (path.length() > 0) {
            path.append('.');
        }
        path.append(part);
    }
}
