package dev.riffle.topology;

/**
 * What an event measures, chosen by its tag (Riemann's tagged streams). {@code timer} is a histogram of
 * durations: both give percentile points.
 */
enum Kind {
    GAUGE, OCCURRENCE, METER, HISTOGRAM;

    private static final Kind[] VALUES = values();

    static Kind of(int ordinal) {
        return VALUES[ordinal];
    }

    /** The kind a tag selects, or null for a tag that names no kind. */
    static Kind ofTag(String tag) {
        return switch (tag) {
            case "gauge" -> GAUGE;
            case "occurrence" -> OCCURRENCE;
            case "meter" -> METER;
            case "histogram", "timer" -> HISTOGRAM;
            default -> null;
        };
    }
}
