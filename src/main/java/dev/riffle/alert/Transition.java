package dev.riffle.alert;

import java.util.Map;

/**
 * One change of an alert (rule + series): what the evaluator writes to the alerts topic, keyed {@link #key()}.
 *
 * @param atMs       event time of the change: the window start (points) or the event time (states)
 * @param startsAtMs when the alert started firing (for FIRING: = atMs; for RESOLVED: the firing's start; for
 *                   PENDING/INACTIVE: when pending started)
 * @param value      the value that caused the change (NaN when there is none: absence)
 * @param labels     the rule's labels plus alertname, series, host, service (and state for state rules)
 */
public record Transition(String rule, String series, Status status, long atMs, long startsAtMs, double value,
                         Map<String, String> labels, String summary) {

    public enum Status {
        /** the condition holds, not yet for {@code for} */
        PENDING,
        /** notified */
        FIRING,
        /** was firing, is no more */
        RESOLVED,
        /** was pending, the condition failed before {@code for}: never notified */
        INACTIVE
    }

    public String key() {
        return key(rule, series);
    }

    static String key(String rule, String series) {
        return rule + "|" + series;
    }
}
