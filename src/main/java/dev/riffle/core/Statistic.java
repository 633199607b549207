package dev.riffle.core;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a point of a series says about its window: the last value of a gauge, an occurrence, a meter's rate per
 * second, or a percentile of a histogram or timer. Carries the configured Graphite suffix text (e.g.
 * {@code rate-per-second}, {@code occurrences}, {@code value}) and, for a percentile, its rank as configured
 * (e.g. {@code 0.99}), so that a target that names series by path reproduces exactly what was configured, and one
 * that uses labels gets the type and the quantile without parsing names.
 *
 * @param type     the kind of figure
 * @param suffix   the configured service suffix ({@code ""} for a gauge)
 * @param quantile the configured rank text of a percentile, e.g. {@code 0.99} or {@code 1}; null otherwise
 */
public record Statistic(Type type, String suffix, String quantile) {

    /** The kinds of figure a point can be. Stored formats name a type by its {@link #code}, never its position. */
    public enum Type {
        /** a gauge's last value by event time */
        VALUE('v'),
        /** 1.0 for a window that saw an occurrence */
        OCCURRENCES('o'),
        /** a meter's sum per second of window */
        RATE('r'),
        /** a histogram's or timer's percentile (nearest rank) */
        PERCENTILE('p');

        /** the stable code of the type in stored and exchanged formats */
        public final byte code;

        Type(char code) {
            this.code = (byte) code;
        }

        /** The type of a stored code; throws {@link IllegalArgumentException} for an unknown one. */
        public static Type ofCode(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown statistic code " + code);
        }
    }

    public Statistic {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(suffix, "suffix");
        if ((type == Type.PERCENTILE) != (quantile != null)) {
            throw new IllegalArgumentException("a quantile belongs to a percentile, and only to it: " + type);
        }
        if (quantile != null) {
            double q = Double.parseDouble(quantile);
            if (!(q >= 0 && q <= 1)) {
                throw new IllegalArgumentException("quantile " + quantile + " is not from 0 to 1");
            }
        }
    }

    /** the statistics seen by {@link #canonical}; a point's statistic is one of a handful configured */
    private static final ConcurrentHashMap<Statistic, Statistic> CANONICAL = new ConcurrentHashMap<>();
    private static final int MAX_CANONICAL = 1024;

    /**
     * An equal statistic shared by every reader of this JVM, so that decoded points do not each hold their own
     * copy: a record's statistics are few and the same in every record. Past {@value #MAX_CANONICAL} distinct ones
     * (not a Riffle's points) the statistic itself is returned.
     */
    public static Statistic canonical(Type type, String suffix, String quantile) {
        Statistic s = new Statistic(type, suffix, quantile);
        Statistic known = CANONICAL.get(s);
        if (known != null) {
            return known;
        }
        if (CANONICAL.size() >= MAX_CANONICAL) {
            return s;
        }
        known = CANONICAL.putIfAbsent(s, s);
        return known == null ? s : known;
    }

    public static Statistic value() {
        return new Statistic(Type.VALUE, "", null);
    }

    public static Statistic occurrences(String suffix) {
        return new Statistic(Type.OCCURRENCES, suffix, null);
    }

    public static Statistic rate(String suffix) {
        return new Statistic(Type.RATE, suffix, null);
    }

    public static Statistic percentile(String suffix, String quantile) {
        return new Statistic(Type.PERCENTILE, suffix, quantile);
    }

    /** The rank of a percentile as a number (0.99); NaN for other types. */
    public double quantileValue() {
        return quantile == null ? Double.NaN : Double.parseDouble(quantile);
    }

    /**
     * The words this statistic adds to the service in Riemann's result service name: {@code rate-per-second},
     * {@code value 0.99}, or {@code ""} for a gauge.
     */
    public String serviceSuffix() {
        if (quantile == null) {
            return suffix;
        }
        return suffix.isEmpty() ? quantile : suffix + " " + quantile;
    }
}
