package dev.riffle.alert;

import dev.riffle.config.Config;
import java.util.List;
import java.util.Map;

/** The rule sets of the alert benchmarks, over 150,000 series {@code production.h<0-1499>.svc<0-99>.value.99}. */
final class BenchRules {
    private BenchRules() {
    }

    /** @param which "1000" or "100" */
    static String yaml(String which) {
        return switch (which) {
            case "1000" -> thousandRules();
            case "100" -> hundredRules();
            default -> throw new IllegalArgumentException("rules: 1000 or 100, not " + which);
        };
    }

    static List<Rule> parsed(String which) {
        return Config.load(null, Map.of("RIFFLE_ALERTS_RULES", yaml(which)), dev.riffle.cli.TestKeys.all())
                .get(AlertKeys.RULES);
    }

    /** Every point matches 10 threshold rules of its service and one absence rule over every series. */
    static String thousandRules() {
        StringBuilder rules = new StringBuilder("[");
        for (int s = 0; s < 100; s++) {
            for (int k = 0; k < 10 && !(s == 99 && k == 9); k++) {
                rules.append("{name: r").append(s).append('-').append(k).append(", match: 'production.*.svc")
                        .append(s).append(".value.99', ").append(k % 2 == 0 ? "above: " + (100 + k * 80)
                                : "below: " + k * 2).append(", for: ").append(k % 3 * 5).append("s},");
            }
        }
        return rules.append("{name: silent, match: 'production.*.*.value.99', absent_for: 30s}]").toString();
    }

    /**
     * The alert target: 100 rules whose globs cover the whole fleet. One threshold rule per service for
     * 94 services, one over the other six, two over every series and one over a tenth of the hosts; two absence
     * rules (every series, half the hosts). A point matches 3 to 5 rules.
     */
    static String hundredRules() {
        StringBuilder rules = new StringBuilder("[");
        for (int s = 0; s < 94; s++) {
            rules.append("{name: svc").append(s).append(", match: 'production.*.svc").append(s).append(".value.99', ")
                    .append(s % 2 == 0 ? "above: " + (100 + s * 10) : "below: " + s % 7).append(", for: ")
                    .append(s % 3 * 5).append("s},");
        }
        rules.append("{name: svc-rest, match: 'production.*.svc9[4-9].value.99', above: 1500, for: 10s},")
                .append("{name: any-high, match: 'production.*.*.value.99', above: 1900, keep_firing_for: 10s},")
                .append("{name: any-low, match: 'production.*.*.value.99', below: 1},")
                .append("{name: h1-high, match: 'production.h1*.*.value.99', above: 1000, for: 5s},")
                .append("{name: silent, match: 'production.*.*.value.99', absent_for: 30s},")
                .append("{name: silent-half, match: 'production.h{1,3,5,7,9}*.*.value.99', absent_for: 1m}]");
        return rules.toString();
    }
}
