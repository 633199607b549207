package dev.riffle.alert;

import dev.riffle.core.GraphiteGlob;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Where notifications go: a webhook (Alertmanager's JSON), email addresses, and/or stdout. An alert goes to every
 * receiver whose {@code match} accepts its labels (each listed label present and matching its pattern; no match =
 * every alert).
 *
 * @param from null = {@code alerts.smtp.from}
 */
public record Receiver(String name, Map<String, GraphiteGlob> match, URI webhook, List<String> emailTo,
                       String from, boolean stdout) {

    boolean accepts(Map<String, String> labels) {
        for (Map.Entry<String, GraphiteGlob> m : match.entrySet()) {
            String value = labels.get(m.getKey());
            if (value == null || !m.getValue().matches(value)) {
                return false;
            }
        }
        return true;
    }

    /** The receiver of {@code riffle run} when rules are set but no receiver: print to stdout. */
    static Receiver stdoutDefault() {
        return new Receiver("stdout", Map.of(), null, List.of(), null, true);
    }
}
