package dev.riffle.topology;

import dev.riffle.core.Event;
import java.util.List;
import java.util.Map;

/**
 * Step 1 of the topology: which environment an event belongs to, under which host it is counted, and under
 * which fleet pseudo-host its partials are merged. {@code box1} tagged {@code production} is counted as
 * {@code box1.production} and merged into {@code all-hosts.production}.
 */
final class Router {
    private final List<String> environments;
    private final Map<String, String> fleetHosts;

    Router(List<String> environments, Map<String, String> fleetHosts) {
        this.environments = List.copyOf(environments);
        this.fleetHosts = Map.copyOf(fleetHosts);
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

    /** The fleet pseudo-host of an environment ("" = untagged), or null when it has none (dev by default). */
    String fleetHost(String env) {
        String h = fleetHosts.get(env);
        return h == null || h.isEmpty() ? null : h;
    }
}
