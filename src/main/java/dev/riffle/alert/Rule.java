package dev.riffle.alert;

import dev.riffle.core.GraphiteGlob;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * One alert rule from {@code alerts.rules}. Exactly one kind:
 * <ul>
 *   <li>{@link Kind#THRESHOLD}: points of series matching {@code match} are {@code above} (strictly greater) or
 *       {@code below} (strictly less than) {@code threshold}; pending until the condition has held from the first
 *       true window for {@code for} (event time), firing until it has been false for {@code keep_firing_for}
 *       since it was last true;</li>
 *   <li>{@link Kind#ABSENT}: a series matching {@code match} has sent no point while its partition's newest window
 *       moved {@code absent_for} past the series' last window;</li>
 *   <li>{@link Kind#STATE}: the Riemann state of a host+service changes into one of {@code states} (fires) or out
 *       of them (resolves); {@code match}, when given, is checked against the event's Graphite path.</li>
 * </ul>
 *
 * @param match     null only for a state rule without one
 * @param threshold NaN unless THRESHOLD
 */
public record Rule(
        String name,
        Kind kind,
        GraphiteGlob match,
        boolean above,
        double threshold,
        Duration forDuration,
        Duration keepFiringFor,
        Duration absentFor,
        Set<String> states,
        Map<String, String> labels,
        String summary) {

    public enum Kind { THRESHOLD, ABSENT, STATE }

    /** The summary template used when the rule sets none. */
    String summaryTemplate() {
        if (summary != null) {
            return summary;
        }
        return switch (kind) {
            case THRESHOLD -> "{series} is {value} (" + (above ? "above" : "below") + " {threshold})";
            case ABSENT -> "{series} has sent nothing for {absent_for}";
            case STATE -> "{host} {service} is {state}";
        };
    }
}
