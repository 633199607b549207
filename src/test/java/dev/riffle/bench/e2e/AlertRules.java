package dev.riffle.bench.e2e;

/**
 * The {@code --alert-rules N} rule set (issue 19, "100 rules whose globs cover the fleet"), over the Riemann paths
 * of {@link Workload}: {@code production.h<host>.<step>.s<i>-<kind>.<statistic>}. Rule 0 and 1 are absence rules
 * over every series (the 5-node meter and gauge paths, the 6-node percentile paths); rules 2.. are one threshold
 * rule per service, cycling over the 100 services with other thresholds. So every series is tracked by an absence
 * rule (a store write per point, the stage's dearest case) and meets its service's rule. The thresholds lie far
 * above anything the workload sends and {@code absent_for} is 10 minutes, longer than a run, so that nothing
 * fires: the run measures the evaluation, not a flood of notices on stdout. statsd paths carry one node more
 * ({@code production.<statsd host>.<step>.h<host>...}): only the absence rule of their node count covers them.
 */
final class AlertRules {
    private AlertRules() {
    }

    static String yaml(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("rules: at least 1, not " + count);
        }
        StringBuilder rules = new StringBuilder("[{name: silent, match: 'production.*.*.*.*', absent_for: 10m}");
        if (count > 1) {
            rules.append(",{name: silent-percentiles, match: 'production.*.*.*.*.*', absent_for: 10m}");
        }
        for (int i = 2; i < count; i++) {
            int service = (i - 2) % 100;
            int round = (i - 2) / 100;
            Workload.Kind kind = Workload.kindOf(service);
            String statistic = switch (kind) {
                case METER -> "rate-per-second";
                case GAUGE -> "value";
                case HISTOGRAM, TIMER -> "value.*";
            };
            // meters: at most a few events/s per series; gauges 0..1000; durations: a log-normal around 20 ms
            long above = (kind == Workload.Kind.GAUGE ? 1_000_000L : 10_000_000L) * (round + 1);
            rules.append(",{name: s").append(service).append('-').append(kind.tag).append(round == 0 ? "" : "-" + round)
                    .append(", match: 'production.*.*.s").append(service).append('-').append(kind.tag).append('.')
                    .append(statistic).append("', above: ").append(above).append(", for: ").append(i % 3 * 5)
                    .append("s}");
        }
        return rules.append(']').toString();
    }
}
