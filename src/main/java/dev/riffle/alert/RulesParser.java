package dev.riffle.alert;

import dev.riffle.config.ConfigException;
import dev.riffle.config.Durations;
import dev.riffle.core.GraphiteGlob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code alerts.rules} and {@code alerts.receivers} (YAML sequences of mappings) into rules and receivers,
 * refusing anything doubtful with a message that names the rule (or receiver) and the field.
 */
final class RulesParser {
    /** Rule names become Graphite path nodes ({@code riffle.alerts.<rule>}) and parts of Kafka keys. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    private static final Set<String> RULE_FIELDS = Set.of("name", "match", "above", "below", "for", "keep_firing_for",
            "absent_for", "state", "labels", "summary");
    private static final Set<String> RECEIVER_FIELDS = Set.of("name", "match", "webhook", "email", "stdout");
    private static final Set<String> EMAIL_FIELDS = Set.of("to", "from");
    /** Riemann's states in common use; others are refused as typos. */
    static final Set<String> STATES = Set.of("ok", "warning", "critical", "unknown", "expired", "error", "failure",
            "down", "up");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");

    private RulesParser() {
    }

    static List<Rule> rules(Object tree) {
        if (tree == null) {
            return List.of();
        }
        if (!(tree instanceof List<?> list)) {
            throw new ConfigException("expected a list of rules, each a mapping with at least name");
        }
        List<Rule> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> map)) {
                throw new ConfigException("rule #" + (i + 1) + ": expected a mapping (name, match, above, ...)");
            }
            Rule rule = rule(i, map);
            if (!names.add(rule.name())) {
                throw new ConfigException("rule '" + rule.name() + "': the name is used twice");
            }
            out.add(rule);
        }
        return List.copyOf(out);
    }

    private static Rule rule(int index, Map<?, ?> map) {
        Object rawName = map.get("name");
        String where = "rule #" + (index + 1);
        if (rawName == null || !NAME.matcher(rawName.toString()).matches()) {
            throw new ConfigException(where + ": key 'name': expected 1 to 100 of A-Z a-z 0-9 _ -, got '" + rawName
                    + "'");
        }
        String name = rawName.toString();
        String at = "rule '" + name + "'";
        for (Object key : map.keySet()) {
            if (!RULE_FIELDS.contains(String.valueOf(key))) {
                throw new ConfigException(at + ": unknown key '" + key + "' (known: " + String.join(", ",
                        RULE_FIELDS.stream().sorted().toList()) + ")");
            }
        }
        GraphiteGlob match = null;
        if (map.get("match") != null) {
            try {
                match = GraphiteGlob.compile(scalar(map.get("match"), at, "match"));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(at + ": key 'match': " + e.getMessage());
            }
        }
        boolean hasAbove = map.containsKey("above");
        boolean hasBelow = map.containsKey("below");
        boolean hasAbsent = map.containsKey("absent_for");
        boolean hasState = map.containsKey("state");
        int kinds = (hasAbove || hasBelow ? 1 : 0) + (hasAbsent ? 1 : 0) + (hasState ? 1 : 0);
        if (hasAbove && hasBelow) {
            throw new ConfigException(at + ": keys 'above' and 'below' both set; a rule has one threshold "
                    + "(write two rules for a band)");
        }
        if (kinds != 1) {
            throw new ConfigException(at + ": expected exactly one of above/below, absent_for or state, got "
                    + (kinds == 0 ? "none" : "several"));
        }
        Duration forD = duration(map, "for", at);
        Duration keep = duration(map, "keep_firing_for", at);
        Map<String, String> labels = labels(map.get("labels"), at);
        String summary = map.get("summary") == null ? null : scalar(map.get("summary"), at, "summary");
        if (hasAbove || hasBelow) {
            String key = hasAbove ? "above" : "below";
            double threshold;
            try {
                threshold = Double.parseDouble(scalar(map.get(key), at, key));
            } catch (NumberFormatException e) {
                throw new ConfigException(at + ": key '" + key + "': expected a number, got '" + map.get(key) + "'");
            }
            if (!Double.isFinite(threshold)) {
                throw new ConfigException(at + ": key '" + key + "': expected a finite number");
            }
            requireMatch(match, at);
            return new Rule(name, Rule.Kind.THRESHOLD, match, hasAbove, threshold, forD, keep, Duration.ZERO,
                    Set.of(), labels, summary);
        }
        if (!forD.isZero() || !keep.isZero()) {
            throw new ConfigException(at + ": keys 'for' and 'keep_firing_for' apply to above/below rules only");
        }
        if (hasAbsent) {
            requireMatch(match, at);
            Duration absent = duration(map, "absent_for", at);
            if (absent.isZero()) {
                throw new ConfigException(at + ": key 'absent_for': must be more than 0");
            }
            return new Rule(name, Rule.Kind.ABSENT, match, false, Double.NaN, Duration.ZERO, Duration.ZERO, absent,
                    Set.of(), labels, summary);
        }
        Object rawStates = map.get("state");
        List<?> stateList = rawStates instanceof List<?> l ? l : rawStates == null ? List.of() : List.of(rawStates);
        Set<String> states = new LinkedHashSet<>();
        for (Object s : stateList) {
            String state = scalar(s, at, "state").toLowerCase(Locale.ROOT);
            if (!STATES.contains(state)) {
                throw new ConfigException(at + ": key 'state': unknown state '" + s + "' (known: "
                        + String.join(", ", STATES.stream().sorted().toList()) + ")");
            }
            states.add(state);
        }
        if (states.isEmpty()) {
            throw new ConfigException(at + ": key 'state': expected a list of states such as [critical]");
        }
        if (states.contains("ok")) {
            throw new ConfigException(at + ": key 'state': 'ok' cannot be an alerting state (it is the initial one)");
        }
        return new Rule(name, Rule.Kind.STATE, match, false, Double.NaN, Duration.ZERO, Duration.ZERO, Duration.ZERO,
                Set.copyOf(states), labels, summary);
    }

    private static void requireMatch(GraphiteGlob match, String at) {
        if (match == null) {
            throw new ConfigException(at + ": key 'match': required (a Graphite path glob)");
        }
    }

    static List<Receiver> receivers(Object tree) {
        if (tree == null) {
            return List.of();
        }
        if (!(tree instanceof List<?> list)) {
            throw new ConfigException(
                    "expected a list of receivers, each a mapping with name and webhook/email/stdout");
        }
        List<Receiver> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> map)) {
                throw new ConfigException("receiver #" + (i + 1) + ": expected a mapping (name, match, webhook, ...)");
            }
            Object rawName = map.get("name");
            if (rawName == null || !NAME.matcher(rawName.toString()).matches()) {
                throw new ConfigException("receiver #" + (i + 1) + ": key 'name': expected 1 to 100 of A-Z a-z 0-9 "
                        + "_ -, got '" + rawName + "'");
            }
            String at = "receiver '" + rawName + "'";
            for (Object key : map.keySet()) {
                if (!RECEIVER_FIELDS.contains(String.valueOf(key))) {
                    throw new ConfigException(at + ": unknown key '" + key + "' (known: " + String.join(", ",
                            RECEIVER_FIELDS.stream().sorted().toList()) + ")");
                }
            }
            Map<String, GraphiteGlob> match = new LinkedHashMap<>();
            labels(map.get("match"), at + " match").forEach((k, v) -> {
                try {
                    match.put(k, GraphiteGlob.compile(v));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(at + ": key 'match': label " + k + ": " + e.getMessage());
                }
            });
            java.net.URI webhook = null;
            if (map.get("webhook") != null) {
                String url = scalar(map.get("webhook"), at, "webhook");
                try {
                    webhook = java.net.URI.create(url);
                } catch (IllegalArgumentException e) {
                    webhook = null;
                }
                if (webhook == null || webhook.getHost() == null
                        || !("http".equals(webhook.getScheme()) || "https".equals(webhook.getScheme()))) {
                    throw new ConfigException(at + ": key 'webhook': expected an http:// or https:// URL, got '"
                            + url + "'");
                }
            }
            List<String> to = List.of();
            String from = null;
            if (map.get("email") != null) {
                if (!(map.get("email") instanceof Map<?, ?> email)) {
                    throw new ConfigException(at + ": key 'email': expected a mapping {to: [...], from: ...}");
                }
                for (Object key : email.keySet()) {
                    if (!EMAIL_FIELDS.contains(String.valueOf(key))) {
                        throw new ConfigException(at + ": key 'email': unknown key '" + key + "' (known: from, to)");
                    }
                }
                Object rawTo = email.get("to");
                List<?> toList = rawTo instanceof List<?> l ? l : rawTo == null ? List.of() : List.of(rawTo);
                List<String> addresses = new ArrayList<>();
                for (Object a : toList) {
                    String address = scalar(a, at, "email.to");
                    if (!address.matches("[^@\\s<>]+@[^@\\s<>]+")) {
                        throw new ConfigException(at + ": key 'email.to': not an address: '" + address + "'");
                    }
                    addresses.add(address);
                }
                if (addresses.isEmpty()) {
                    throw new ConfigException(at + ": key 'email.to': expected at least one address");
                }
                to = List.copyOf(addresses);
                from = email.get("from") == null ? null : scalar(email.get("from"), at, "email.from");
            }
            boolean stdout = map.get("stdout") != null && Boolean.parseBoolean(String.valueOf(map.get("stdout")));
            if (webhook == null && to.isEmpty() && !stdout) {
                throw new ConfigException(at + ": expected at least one of webhook, email or stdout: true");
            }
            if (!names.add(rawName.toString())) {
                throw new ConfigException(at + ": the name is used twice");
            }
            out.add(new Receiver(rawName.toString(), Map.copyOf(match), webhook, to, from, stdout));
        }
        return List.copyOf(out);
    }

    private static Map<String, String> labels(Object raw, String at) {
        if (raw == null) {
            return Map.of();
        }
        if (!(raw instanceof Map<?, ?> map)) {
            throw new ConfigException(at + ": expected a mapping of labels such as {severity: page}");
        }
        Map<String, String> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            String key = String.valueOf(k);
            if (!LABEL.matcher(key).matches()) {
                throw new ConfigException(at + ": label name '" + key + "' is not [A-Za-z_][A-Za-z0-9_]*");
            }
            out.put(key, scalar(v, at, "labels." + key));
        });
        return Map.copyOf(out);
    }

    private static Duration duration(Map<?, ?> map, String key, String at) {
        Object raw = map.get(key);
        if (raw == null) {
            return Duration.ZERO;
        }
        try {
            return Durations.parse(raw.toString());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(at + ": key '" + key + "': " + e.getMessage());
        }
    }

    private static String scalar(Object raw, String at, String key) {
        if (raw == null || raw instanceof Map || raw instanceof List) {
            throw new ConfigException(at + ": key '" + key + "': expected a single value, got '" + raw + "'");
        }
        return raw.toString().trim();
    }
}
