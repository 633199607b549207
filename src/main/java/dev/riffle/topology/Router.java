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

    /**
     * The environment ("" = untagged) and bare host of a per-host stream's host ({@code box1.production} ->
     * {@code production}, {@code box1}), given the fleet pseudo-host it merges into (null: none): the first
     * configured environment whose suffix it carries and whose pseudo-host is that one (any, for a host merged
     * nowhere, as dev or Riffle's own); else untagged. Only labels depend on it: {@code host.env} is the same.
     */
    String[] splitEnvHost(String envHost, String fleetHost) {
        for (String env : environments) {
            if (envHost.length() > env.length() + 1 && envHost.endsWith(env)
                    && envHost.charAt(envHost.length() - env.length() - 1) == '.'
                    && (fleetHost == null || fleetHost.equals(fleetHost(env)))) {
                return new String[] {env, envHost.substring(0, envHost.length() - env.length() - 1)};
            }
        }
        return new String[] {"", envHost};
    }

    /** The environment a fleet pseudo-host stands for ("" = untagged, or none such, as the self host). */
    String environmentOfFleetHost(String pseudoHost) {
        for (String env : environments) {
            if (pseudoHost.equals(fleetHost(env))) {
                return env;
            }
        }
        return "";
    }
}
