package dev.riffle.topology;

import dev.riffle.core.Event;
import java.util.List;

/**
 * Step 1 of the topology: which environment an event belongs to and under which host it is counted.
 * {@code box1} tagged {@code production} is counted as {@code box1.production}.
 */
final class Router {
    private final List<String> environments;

    Router(List<String> environments) {
        this.environments = List.copyOf(environments);
    }

    /** The first configured environment among the event's tags, or "" when it has none. */
    String environment(Event e) {
        for (String env : environments) {
            if (e.hasTag(env)) {
                return env;
            }
        }
        return "";
    }

    /** The per-host stream's host: {@code host.env}, or the host unchanged without an environment tag. */
    static String envHost(String host, String env) {
        return env.isEmpty() ? host : host + "." + env;
    }
}
