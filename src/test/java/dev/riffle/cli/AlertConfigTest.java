package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.alert.AlertKeys;
import dev.riffle.alert.Rule;
import dev.riffle.config.Config;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The alerts section of the config file: the issue's example loads; bad rules stop riffle with exit 2. */
class AlertConfigTest {
    @TempDir
    Path dir;

    static final String EXAMPLE = """
            alerts:
              group_wait: 10s
              group_interval: 1m
              repeat_interval: 4h
              rules:
                - name: slow-search
                  match: "production.*.search-time.value.99"
                  above: 500
                  for: 15s
                  keep_firing_for: 10s
                  labels: {severity: page}
                  summary: "{host} search p99 {value} ms (> {threshold})"
                - name: host-silent
                  match: "production.*.page-views.rate-per-second"
                  absent_for: 30s
                - name: riemann-critical
                  state: [critical]
              receivers:
                - name: ops
                  match: {severity: page}
                  webhook: "http://127.0.0.1:9000/hook"
                  email: {to: ["ops@example.com"]}
              smtp: {host: 127.0.0.1, port: 25, from: "riffle@example.com", starttls: false}
            """;

    @Test
    void theIssuesExampleLoads() throws Exception {
        Path file = dir.resolve("riffle.yaml");
        Files.writeString(file, EXAMPLE);
        Config c = Config.load(file, Map.of(), Settings.ALL_KEYS);
        List<Rule> rules = c.get(AlertKeys.RULES);
        assertEquals(3, rules.size());
        assertEquals(Rule.Kind.THRESHOLD, rules.get(0).kind());
        assertEquals(Duration.ofSeconds(15), rules.get(0).forDuration());
        assertEquals(Duration.ofSeconds(10), rules.get(0).keepFiringFor());
        assertEquals(500.0, rules.get(0).threshold());
        assertEquals(Map.of("severity", "page"), rules.get(0).labels());
        assertEquals(Rule.Kind.ABSENT, rules.get(1).kind());
        assertEquals(Duration.ofSeconds(30), rules.get(1).absentFor());
        assertEquals(Rule.Kind.STATE, rules.get(2).kind());
        assertEquals(1, c.get(AlertKeys.RECEIVERS).size());
        assertEquals(Duration.ofMinutes(1), c.get(AlertKeys.GROUP_INTERVAL));
        assertEquals("riffle@example.com", c.get(AlertKeys.SMTP_FROM));
        assertEquals(25, c.get(AlertKeys.SMTP_PORT));
    }

    @Test
    void anEnvironmentVariableCanCarryTheRulesAsFlowYaml() {
        Config c = Config.load(null, Map.of("RIFFLE_ALERTS_RULES", "[{name: x, match: 'a.*', below: 1}]",
                "RIFFLE_ALERTS_GROUP_WAIT", "500ms"), Settings.ALL_KEYS);
        assertEquals("x", c.get(AlertKeys.RULES).get(0).name());
        assertEquals(Duration.ofMillis(500), c.get(AlertKeys.GROUP_WAIT));
    }

    private String refused(String rules) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "alerts:\n" + rules);
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(err, true), "alerts", "--config", file.toString());
        assertEquals(Main.BAD_CONFIG, exit, "refused with exit 2: " + err);
        return err.toString();
    }

    @Test
    void badRulesFailAtLoadNamingTheRuleAndTheKey() throws Exception {
        String unknown = refused("  rules:\n    - {name: r1, match: 'a.*', above: 1, fore: 10s}\n");
        assertTrue(unknown.contains("alerts.rules") && unknown.contains("rule 'r1'")
                && unknown.contains("unknown key 'fore'"), unknown);
        String glob = refused("  rules:\n    - {name: r2, match: 'a.{b,c', above: 1}\n");
        assertTrue(glob.contains("rule 'r2'") && glob.contains("key 'match'") && glob.contains("unclosed '{'"),
                glob);
        String negative = refused("  rules:\n    - {name: r3, match: 'a.*', above: 1, for: -5s}\n");
        assertTrue(negative.contains("rule 'r3'") && negative.contains("key 'for'"), negative);
        String both = refused("  rules:\n    - {name: r4, match: 'a.*', above: 1, below: 0}\n");
        assertTrue(both.contains("rule 'r4'") && both.contains("'above' and 'below'"), both);
        String state = refused("  rules:\n    - {name: r5, state: [critcal]}\n");
        assertTrue(state.contains("rule 'r5'") && state.contains("unknown state 'critcal'"), state);
        String receiver = refused("  receivers:\n    - {name: ops, webhok: 'http://x/'}\n");
        assertTrue(receiver.contains("receiver 'ops'") && receiver.contains("unknown key 'webhok'"), receiver);
        String duration = refused("  group_wait: 10 minutes\n");
        assertTrue(duration.contains("alerts.group_wait"), duration);
        String section = refused("  rule: []\n");
        assertTrue(section.contains("unknown key 'alerts.rule'"), section);
        String noRules = refused("  group_wait: 1s\n");
        assertTrue(noRules.contains("no rules"), noRules);
    }
}
