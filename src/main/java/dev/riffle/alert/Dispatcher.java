package dev.riffle.alert;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides what each receiver is told and when, Alertmanager's way; it does no I/O and reads no clock (the
 * notifier passes {@code now}, wall clock: delivery timing, not evaluation).
 *
 * <ul>
 *   <li>an alert is routed to every receiver whose match accepts its labels, unless a silence covers it;</li>
 *   <li>a group = one rule at one receiver. A new group waits {@code group_wait}, then one message lists its
 *       firing alerts; later changes (new firing, resolved) go out at most every {@code group_interval}; while
 *       alerts still fire and nothing changed, the group is sent again after {@code repeat_interval};</li>
 *   <li>a resolved notice is owed to a receiver that was told the alert fired, or that was owed the firing and
 *       never got it (receiver down): then the two collapse into the one resolved notice;</li>
 *   <li>a receiver gets at most {@code rate_limit} messages an hour; the last one before the limit carries
 *       every group then due (a digest), and past the limit the due groups wait for the next free slot;</li>
 *   <li>a failed delivery changes nothing here but the receiver's next try (capped exponential backoff): the
 *       next try is computed afresh, so it carries whatever is owed then.</li>
 * </ul>
 * Transitions older than {@code notify_max_age} (event time against now) are never notified unless the
 * receiver already had the firing: backfills and history stay silent.
 */
final class Dispatcher {
    private static final long HOUR = 3_600_000L;
    private static final long FIRST_RETRY = 1000L;

    /** What a receiver was last told about one alert (persisted in the deliveries topic). */
    record Delivered(boolean firing, long startsAtMs, long sentMs) {
    }

    /** The latest transition of an alert the notifier has read, and the start of its current firing. */
    private static final class Alert {
        Transition last;
        long firingStartsAt = -1;
    }

    private static final class Group {
        long firstDue = -1;
        long lastSent;
    }

    private static final class Outbox {
        final Map<String, Delivered> delivered = new HashMap<>();
        final Map<String, Group> groups = new HashMap<>();
        final Deque<Long> sent = new ArrayDeque<>();
        long backoff;
        long nextTry;
    }

    private final Map<String, Rule> rules = new HashMap<>();
    private final List<Receiver> receivers;
    private final Map<String, Outbox> outboxes = new LinkedHashMap<>();
    private final Map<String, Alert> alerts = new TreeMap<>();
    private final Map<String, Silence> silences = new HashMap<>();
    private final long groupWait;
    private final long groupInterval;
    private final long repeatInterval;
    private final long maxAge;
    private final long retryMax;
    private final int rateLimit;
    private long ignoredOld;
    private long lastForget;
    private long unknownRule;

    Dispatcher(List<Rule> rules, List<Receiver> receivers, Duration groupWait, Duration groupInterval,
               Duration repeatInterval, Duration maxAge, Duration retryMax, int rateLimit) {
        rules.forEach(r -> this.rules.put(r.name(), r));
        this.receivers = receivers;
        receivers.forEach(r -> outboxes.put(r.name(), new Outbox()));
        this.groupWait = groupWait.toMillis();
        this.groupInterval = groupInterval.toMillis();
        this.repeatInterval = repeatInterval.toMillis();
        this.maxAge = maxAge.toMillis();
        this.retryMax = Math.max(FIRST_RETRY, retryMax.toMillis());
        this.rateLimit = rateLimit;
    }

    /** @param now wall clock, only to count transitions too old to be told */
    void onTransition(Transition t, long now) {
        if ((t.status() == Transition.Status.FIRING || t.status() == Transition.Status.RESOLVED)
                && now - t.atMs() > maxAge) {
            ignoredOld++; // kept (a receiver told of the firing still gets the resolved), counted once
        }
        if (!rules.containsKey(t.rule())) {
            unknownRule++; // a rule since removed from the config
            alerts.remove(t.key());
            return;
        }
        if (t.status() == Transition.Status.PENDING || t.status() == Transition.Status.INACTIVE) {
            return; // never notified; the alert's firing/resolved state is unchanged
        }
        Alert a = alerts.computeIfAbsent(t.key(), k -> new Alert());
        if (t.status() == Transition.Status.FIRING) {
            a.firingStartsAt = t.startsAtMs();
        }
        a.last = t;
    }

    /** Forgets every alert (the alerts topic's partition went to another notifier); deliveries are kept. */
    void clearAlerts() {
        alerts.clear();
        outboxes.values().forEach(o -> o.groups.clear());
    }

    void onDelivered(String receiver, String alertKey, Delivered d) {
        Outbox o = outboxes.get(receiver);
        if (o != null) {
            o.delivered.put(alertKey, d);
        }
    }

    void forgetDelivery(String receiver, String alertKey) {
        Outbox o = outboxes.get(receiver);
        if (o != null) {
            o.delivered.remove(alertKey);
        }
    }

    void onSilence(Silence s) {
        silences.put(s.id(), s);
    }

    Map<String, Silence> silences() {
        return silences;
    }

    private boolean silenced(Map<String, String> labels, long now) {
        for (Silence s : silences.values()) {
            if (s.activeAt(now) && s.matches(labels)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The next message for each receiver that is not busy and not backing off, if one is due now.
     *
     * @param busy receivers with a message in flight
     */
    List<Notice> due(long now, Set<String> busy) {
        List<Notice> out = new ArrayList<>();
        for (Receiver r : receivers) {
            Outbox o = outboxes.get(r.name());
            if (busy.contains(r.name()) || now < o.nextTry) {
                continue;
            }
            while (!o.sent.isEmpty() && o.sent.peekFirst() <= now - HOUR) {
                o.sent.pollFirst();
            }
            Map<String, Notice.Group> ready = new TreeMap<>();
            for (Map.Entry<String, List<Notice.Item>[]> e : owed(r, o, now).entrySet()) {
                String rule = e.getKey();
                List<Notice.Item> firing = e.getValue()[0];
                List<Notice.Item> resolved = e.getValue()[1];
                boolean changed = e.getValue()[2].size() > 0 || !resolved.isEmpty();
                Group g = o.groups.computeIfAbsent(rule, k -> new Group());
                boolean send;
                if (changed) {
                    if (g.firstDue < 0) {
                        g.firstDue = now;
                    }
                    send = g.lastSent == 0 ? now >= g.firstDue + groupWait : now >= g.lastSent + groupInterval;
                } else {
                    g.firstDue = -1;
                    if (g.lastSent == 0) { // after a restart: the group was last sent when its alerts were told
                        for (Notice.Item it : firing) {
                            Delivered d = o.delivered.get(it.key());
                            g.lastSent = Math.max(g.lastSent, d == null ? 0 : d.sentMs());
                        }
                    }
                    send = !firing.isEmpty() && g.lastSent > 0 && now >= g.lastSent + repeatInterval;
                }
                if (send) {
                    ready.put(rule, new Notice.Group(rule, firing, resolved));
                }
            }
            if (ready.isEmpty()) {
                continue;
            }
            if (o.sent.size() >= rateLimit) {
                continue; // wait for a free slot; what is due then goes as one digest
            }
            if (ready.size() > 1 && o.sent.size() >= rateLimit - 1) {
                out.add(new Notice(r.name(), List.copyOf(ready.values()), true)); // the last slot: everything due
            } else {
                out.add(new Notice(r.name(), List.of(ready.values().iterator().next()), false));
            }
        }
        if (now - lastForget >= 1000) {
            lastForget = now;
            forgetResolved(now);
        }
        return out;
    }

    /**
     * Drops what channels were told about alerts resolved longer than {@code notify_max_age} ago (nothing is owed
     * for those any more) and returns their keys ({@code channel|alert}) for tombstones in the deliveries topic:
     * so the notifier's memory and that topic stay the size of recent alerts, not of all history.
     */
    List<String> prune(long now) {
        List<String> out = new ArrayList<>();
        outboxes.forEach((channel, o) -> o.delivered.entrySet().removeIf(e -> {
            boolean old = !e.getValue().firing() && now - e.getValue().sentMs() > maxAge
                    && !alerts.containsKey(e.getKey());
            if (old) {
                out.add(channel + "|" + e.getKey());
            }
            return old;
        }));
        return out;
    }

    /**
     * Per rule, for one receiver: [firing items (all, for the message), resolved items owed, firing items not yet
     * told (the change)].
     */
    @SuppressWarnings("unchecked")
    private Map<String, List<Notice.Item>[]> owed(Receiver r, Outbox o, long now) {
        Map<String, List<Notice.Item>[]> byRule = new TreeMap<>();
        for (Map.Entry<String, Alert> e : alerts.entrySet()) {
            Alert a = e.getValue();
            Transition t = a.last;
            if (!r.accepts(t.labels())) {
                continue;
            }
            Delivered d = o.delivered.get(e.getKey());
            long startsAt = a.firingStartsAt >= 0 ? a.firingStartsAt : t.startsAtMs();
            boolean told = d != null && d.firing() && d.startsAtMs() == startsAt;
            boolean silenced = silenced(t.labels(), now);
            Notice.Item item;
            int slot;
            boolean change = false;
            if (t.status() == Transition.Status.FIRING) {
                if (silenced || (!told && now - t.atMs() > maxAge)) {
                    continue;
                }
                item = new Notice.Item(e.getKey(), t.rule(), t.labels(), t.summary(), startsAt, 0, true);
                slot = 0;
                change = !told;
            } else {
                if (!owesResolved(a, d, silenced, now)) {
                    continue;
                }
                item = new Notice.Item(e.getKey(), t.rule(), t.labels(), t.summary(), startsAt, t.atMs(), false);
                slot = 1;
            }
            List<Notice.Item>[] lists = byRule.computeIfAbsent(t.rule(),
                    k -> new List[] {new ArrayList<>(), new ArrayList<>(), new ArrayList<>()});
            lists[slot].add(item);
            if (change) {
                lists[2].add(item);
            }
        }
        return byRule;
    }

    /**
     * A message went out: records what the receiver now knows and returns it, for the deliveries topic.
     */
    Map<String, Delivered> sent(Notice n, long now) {
        Outbox o = outboxes.get(n.receiver());
        o.sent.addLast(now);
        o.backoff = 0;
        o.nextTry = 0;
        Map<String, Delivered> out = new LinkedHashMap<>();
        for (Notice.Group g : n.groups()) {
            for (Notice.Item it : g.firing()) {
                out.put(it.key(), new Delivered(true, it.startsAtMs(), now));
            }
            for (Notice.Item it : g.resolved()) {
                out.put(it.key(), new Delivered(false, it.startsAtMs(), now));
            }
            Group group = o.groups.get(g.rule());
            group.firstDue = -1;
            group.lastSent = g.firing().isEmpty() ? 0 : now; // an all-resolved group ends; a new one waits again
        }
        o.delivered.putAll(out);
        forgetResolved(now);
        return out;
    }

    /** A try failed: the receiver waits 1 s, 2 s, 4 s, ... up to {@code retry_max} before the next. */
    long failed(Notice n, long now) {
        Outbox o = outboxes.get(n.receiver());
        o.backoff = o.backoff == 0 ? FIRST_RETRY : Math.min(retryMax, o.backoff * 2);
        o.nextTry = now + o.backoff;
        return o.backoff;
    }

    /**
     * A receiver owes a resolved notice when it was told the firing, or when the firing was owed to it and never
     * told (then the two collapse into this one), unless it already has the resolved notice.
     */
    private boolean owesResolved(Alert a, Delivered d, boolean silenced, long now) {
        long startsAt = a.firingStartsAt >= 0 ? a.firingStartsAt : a.last.startsAtMs();
        if (d != null && d.startsAtMs() == startsAt) {
            return d.firing(); // told the firing: owes the resolved; told the resolved: owes nothing
        }
        return a.firingStartsAt >= 0 && !silenced && now - a.last.atMs() <= maxAge;
    }

    /** Resolved alerts no receiver still owes a notice for are dropped from memory. */
    private void forgetResolved(long now) {
        silences.values().removeIf(s -> s.endsAtMs() <= now); // an ended silence silences nothing again
        alerts.entrySet().removeIf(e -> {
            Alert a = e.getValue();
            if (a.last.status() != Transition.Status.RESOLVED) {
                return false;
            }
            boolean silenced = silenced(a.last.labels(), now);
            for (Receiver r : receivers) {
                if (r.accepts(a.last.labels())
                        && owesResolved(a, outboxes.get(r.name()).delivered.get(e.getKey()), silenced, now)) {
                    return false;
                }
            }
            return true;
        });
    }

    int alertCount() {
        return alerts.size();
    }

    long firingCount() {
        return alerts.values().stream().filter(a -> a.last.status() == Transition.Status.FIRING).count();
    }

    long ignoredOld() {
        return ignoredOld;
    }

    long unknownRule() {
        return unknownRule;
    }

    /** For tests and the status line: the soonest next try of any receiver backing off. */
    long nextTry() {
        return outboxes.values().stream().map(o -> o.nextTry).max(Comparator.naturalOrder()).orElse(0L);
    }
}
