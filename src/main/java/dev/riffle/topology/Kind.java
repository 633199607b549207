package dev.riffle.topology;

/**
 * What an event measures, chosen by its tag (Riemann's tagged streams). {@code timer} is a histogram of
 * durations: both give percentile points. Stored formats name a kind by its {@link #code}, never by its
 * position in this list.
 */
enum Kind {
    GAUGE('g'), OCCURRENCE('o'), METER('m'), HISTOGRAM('h');

    /** the stable code of the kind in stored and exchanged formats */
    final byte code;

    Kind(char code) {
        this.code = (byte) code;
    }

    static Kind ofCode(int code) {
        for (Kind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown kind code " + code);
    }

    /** Formats written before kinds had codes stored {@code ordinal()} of this order. */
    static Kind ofLegacyOrdinal(int ordinal) {
        return switch (ordinal) {
            case 0 -> GAUGE;
            case 1 -> OCCURRENCE;
            case 2 -> METER;
            case 3 -> HISTOGRAM;
            default -> throw new IllegalArgumentException("unknown legacy kind " + ordinal);
        };
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
