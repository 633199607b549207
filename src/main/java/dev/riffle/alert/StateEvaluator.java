package dev.riffle.alert;

import dev.riffle.core.Event;
import dev.riffle.core.GraphitePath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * State rules, Riemann's {@code changed-state}: per host and service the last state is kept (initially
 * {@code ok}); an event whose state differs from it is a change, and a rule fires when the change goes into one
 * of its states and resolves when it leaves them. Events are taken in the order of their partition (the events
 * topic is keyed by host, so one host's events keep their order); their time stamps the transition.
 * Events without a state, and ticks, change nothing.
 */
final class StateEvaluator {
    private static final String INITIAL = "ok";
    private static final int MAX_STATE_LENGTH = 64;

    private final List<Rule> rules = new ArrayList<>();
    private final StateView store;
    private final long maxSeries;
    private long tracked;
    private long untracked;

    StateEvaluator(List<Rule> allRules, StateView store, long maxSeries) {
        for (Rule r : allRules) {
            if (r.kind() == Rule.Kind.STATE) {
                rules.add(r);
            }
        }
        this.store = store;
        this.maxSeries = maxSeries;
        long[] count = {0};
        store.forEach((k, v) -> count[0]++);
        tracked = count[0];
    }

    boolean hasRules() {
        return !rules.isEmpty();
    }

    List<Transition> onEvent(Event e) {
        if (e.state() == null || e.state().isBlank()) {
            return List.of();
        }
        String state = e.state().trim().toLowerCase(Locale.ROOT);
        if (state.length() > MAX_STATE_LENGTH) {
            state = state.substring(0, MAX_STATE_LENGTH);
        }
        String key = e.host() + "\u0000" + e.service();
        byte[] old = store.get(key);
        String previous = old == null ? INITIAL : new String(old, StandardCharsets.UTF_8);
        if (previous.equals(state)) {
            return List.of();
        }
        if (old == null) {
            if (tracked >= maxSeries) {
                untracked++;
                return List.of();
            }
            tracked++;
        }
        store.put(key, state.getBytes(StandardCharsets.UTF_8));
        String path = GraphitePath.of(e.host(), e.service());
        List<Transition> out = new ArrayList<>(0);
        for (Rule rule : rules) {
            if (rule.match() != null && !rule.match().matches(path)) {
                continue;
            }
            boolean was = rule.states().contains(previous);
            boolean is = rule.states().contains(state);
            if (was == is) {
                continue;
            }
            out.add(transition(rule, e, path, state, is ? Transition.Status.FIRING : Transition.Status.RESOLVED));
        }
        return out;
    }

    private static Transition transition(Rule rule, Event e, String path, String state, Transition.Status status) {
        Map<String, String> labels = new LinkedHashMap<>(rule.labels());
        labels.put("alertname", rule.name());
        labels.put("series", path);
        labels.put("host", e.host());
        labels.put("service", e.service());
        labels.put("state", state);
        Map<String, String> vars = new HashMap<>();
        vars.put("rule", rule.name());
        vars.put("series", path);
        vars.put("host", e.host());
        vars.put("service", e.service());
        vars.put("state", state);
        vars.put("value", e.metric() == null ? "none" : Summary.number(e.metric()));
        vars.put("threshold", "");
        vars.put("description", e.description() == null ? "" : e.description());
        long at = e.timeMillis();
        // the firing's start is not kept per rule; a resolved notice's start comes from the notifier's record of it
        return new Transition(rule.name(), path, status, at, at, e.metric() == null ? Double.NaN : e.metric(),
                Map.copyOf(labels), Summary.fill(rule.summaryTemplate(), vars));
    }

    long tracked() {
        return tracked;
    }

    long untracked() {
        return untracked;
    }
}
