package dev.riffle.alert;

import java.util.List;
import java.util.Map;

/**
 * One message to one receiver: one group (the alerts of one rule), or a digest of several groups when the
 * receiver's rate limit is near. Alerts beyond {@code alerts.max_alerts_listed} are not listed but counted.
 */
record Notice(String receiver, List<Group> groups, boolean digest) {

    /** The alerts of one rule in this message. */
    record Group(String rule, List<Item> firing, List<Item> resolved) {
    }

    /**
     * One alert as notified.
     *
     * @param endsAtMs 0 while firing
     */
    record Item(String key, String rule, Map<String, String> labels, String summary, long startsAtMs, long endsAtMs,
                boolean firing) {
    }

    int firingCount() {
        return groups.stream().mapToInt(g -> g.firing().size()).sum();
    }

    int resolvedCount() {
        return groups.stream().mapToInt(g -> g.resolved().size()).sum();
    }

    /**
     * Every alert of the message in a stable order, resolved first: in a group's later message they are the news,
     * and a list cut at {@code max_alerts_listed} must not hide them behind alerts told before.
     */
    List<Item> items() {
        List<Item> out = new java.util.ArrayList<>();
        groups.forEach(g -> out.addAll(g.resolved()));
        groups.forEach(g -> out.addAll(g.firing()));
        return out;
    }

    String status() {
        return firingCount() > 0 ? "firing" : "resolved";
    }

    String title() {
        if (digest) {
            return "[DIGEST] " + groups.size() + " alert groups: " + firingCount() + " firing, " + resolvedCount()
                    + " resolved";
        }
        Group g = groups.get(0);
        return firingCount() > 0
                ? "[FIRING:" + firingCount() + "] " + g.rule() + (resolvedCount() > 0 ? " (" + resolvedCount()
                        + " resolved)" : "")
                : "[RESOLVED:" + resolvedCount() + "] " + g.rule();
    }

    /** The plain-text body shared by email and stdout: one line per alert, then "and N more". */
    String text(int maxListed) {
        StringBuilder b = new StringBuilder();
        b.append(title()).append("\n\n");
        List<Item> items = items();
        int listed = Math.min(maxListed, items.size());
        for (int i = 0; i < listed; i++) {
            Item it = items.get(i);
            b.append(it.firing() ? "FIRING   " : "RESOLVED ").append(it.summary()).append("\n");
            b.append("         ").append(it.labels().get("series")).append(" since ")
                    .append(java.time.Instant.ofEpochMilli(it.startsAtMs()));
            if (!it.firing()) {
                b.append(" until ").append(java.time.Instant.ofEpochMilli(it.endsAtMs()));
            }
            b.append("\n");
        }
        if (items.size() > listed) {
            b.append("and ").append(items.size() - listed).append(" more\n");
        }
        return b.toString();
    }
}
