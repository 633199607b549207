package dev.riffle.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.GraphiteGlob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The notifier's decisions, on a clock the test moves: grouping, repeat, resolved, collapse, digest, silences. */
class DispatcherTest {
    static final long NOW = 1_800_000_000_000L;
    static final Rule HOT = EvaluationOracleTest.threshold("hot", "*.*", true, 5, 0, 0);
    static final Rule GONE = EvaluationOracleTest.absent("gone", "*.*", 10_000);
    static final Receiver OPS = new Receiver("ops", Map.of(), null, List.of(), null, true);

    static Dispatcher dispatcher(int rateLimit) {
        return new Dispatcher(List.of(HOT, GONE), List.of(OPS), Duration.ofSeconds(10), Duration.ofMinutes(1),
                Duration.ofHours(4), Duration.ofHours(1), Duration.ofSeconds(8), rateLimit);
    }

    static Transition t(Rule rule, String series, Transition.Status s, long at, long startsAt) {
        return new Transition(rule.name(), series, s, at, startsAt, 1.0, Map.of("alertname", rule.name(),
                "series", series, "host", series.split("\\.")[1]), series + " " + s);
    }

    /** Runs the dispatcher from {@code from} to {@code to} in 1 s steps, every message delivered at once. */
    static List<Notice> run(Dispatcher d, long from, long to) {
        List<Notice> out = new ArrayList<>();
        for (long now = from; now <= to; now += 1000) {
            for (Notice n : d.due(now, Set.of())) {
                d.sent(n, now);
                out.add(n);
            }
        }
        return out;
    }

    @Test
    void twoHundredAlertsOfOneRuleAreOneMessageAfterGroupWait() {
        Dispatcher d = dispatcher(20);
        for (int i = 0; i < 200; i++) {
            d.onTransition(t(HOT, "p.h" + i, Transition.Status.FIRING, NOW, NOW), NOW);
        }
        assertEquals(List.of(), run(d, NOW, NOW + 9_000), "nothing before group_wait");
        List<Notice> sent = run(d, NOW + 10_000, NOW + 3_600_000);
        assertEquals(1, sent.size(), "one message in the hour (repeat_interval is 4 h)");
        assertEquals(200, sent.get(0).firingCount());
        assertTrue(sent.get(0).text(25).contains("and 175 more"), sent.get(0).text(25));
        assertEquals(1, run(d, NOW + 4 * 3_600_000L, NOW + 4 * 3_600_000L + 10_000).size(), "repeated after 4 h");
    }

    @Test
    void resolvedIsToldOnceAndAFlapWhileUnsentCollapsesIntoOneResolvedNotice() {
        Dispatcher d = dispatcher(20);
        d.onTransition(t(HOT, "p.a", Transition.Status.FIRING, NOW, NOW), NOW);
        assertEquals(1, run(d, NOW, NOW + 20_000).size());
        d.onTransition(t(HOT, "p.a", Transition.Status.RESOLVED, NOW + 30_000, NOW), NOW);
        List<Notice> resolved = run(d, NOW + 30_000, NOW + 600_000);
        assertEquals(1, resolved.size());
        assertEquals(1, resolved.get(0).resolvedCount());
        assertEquals(0, resolved.get(0).firingCount());
        assertEquals(List.of(), d.prune(NOW + 600_000), "told recently: kept");
        assertEquals(List.of("ops|hot|p.a"), d.prune(NOW + 30_000 + 3_700_000), "resolved over an hour ago: dropped");
        // fired and resolved while nothing was sent: one resolved notice (with its start), never a firing one
        d.onTransition(t(HOT, "p.b", Transition.Status.FIRING, NOW + 700_000, NOW + 700_000), NOW);
        d.onTransition(t(HOT, "p.b", Transition.Status.RESOLVED, NOW + 701_000, NOW + 700_000), NOW);
        List<Notice> collapsed = run(d, NOW + 702_000, NOW + 900_000);
        assertEquals(1, collapsed.size());
        assertEquals("[RESOLVED:1] hot", collapsed.get(0).title());
    }

    @Test
    void aReceiverThatFailsIsRetriedWithCappedBackoffAndGetsWhatIsOwedThen() {
        Dispatcher d = dispatcher(20);
        d.onTransition(t(GONE, "p.a", Transition.Status.FIRING, NOW, NOW), NOW);
        List<Long> tries = new ArrayList<>();
        long now = NOW;
        for (; now < NOW + 60_000; now += 500) { // down for a minute
            for (Notice n : d.due(now, Set.of())) {
                tries.add(now);
                d.failed(n, now);
            }
        }
        assertTrue(tries.size() >= 5 && tries.size() <= 12, "backoff 1, 2, 4, 8, 8, ... s: " + tries);
        for (int i = 5; i < tries.size(); i++) {
            assertTrue(tries.get(i) - tries.get(i - 1) <= 8_500, "capped at retry_max: " + tries);
        }
        List<Notice> after = run(d, now, now + 20_000);
        assertEquals(1, after.size(), "delivered once it is back");
        assertEquals(1, after.get(0).firingCount());
    }

    @Test
    void pastTheRateLimitWhatIsDueGoesAsOneDigest() {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rules.add(new Rule("r" + i, Rule.Kind.THRESHOLD, GraphiteGlob.compile("*.*"), true, 1, Duration.ZERO,
                    Duration.ZERO, Duration.ZERO, Set.of(), Map.of(), null));
        }
        Dispatcher many = new Dispatcher(rules, List.of(OPS), Duration.ofSeconds(10), Duration.ofMinutes(1),
                Duration.ofHours(4), Duration.ofHours(1), Duration.ofSeconds(8), 3);
        for (Rule r : rules) {
            many.onTransition(t(r, "p.a", Transition.Status.FIRING, NOW, NOW), NOW);
        }
        List<Notice> sent = run(many, NOW, NOW + 600_000);
        assertEquals(3, sent.size(), "three messages an hour: " + sent.stream().map(Notice::title).toList());
        assertTrue(sent.get(2).digest(), "the last one is a digest");
        assertEquals(8, sent.get(2).groups().size());
        assertEquals(10, sent.stream().mapToInt(Notice::firingCount).sum(), "every alert told once");
    }

    @Test
    void silencedAlertsAreNotToldUntilTheSilenceEnds() {
        Dispatcher d = dispatcher(20);
        d.onSilence(new Silence("s1", Map.of("host", "h*"), NOW, NOW + 60_000, "test", ""));
        d.onTransition(t(HOT, "p.h1", Transition.Status.FIRING, NOW, NOW), NOW);
        d.onTransition(t(HOT, "p.x1", Transition.Status.FIRING, NOW, NOW), NOW);
        List<Notice> during = run(d, NOW, NOW + 59_000);
        assertEquals(1, during.size());
        assertEquals("p.x1", during.get(0).items().get(0).labels().get("series"));
        List<Notice> after = run(d, NOW + 60_000, NOW + 200_000);
        assertEquals(1, after.size(), "told once the silence ended");
        assertEquals(2, after.get(0).firingCount(), "the group lists both firing alerts");
    }

    @Test
    void oldTransitionsAreNeverNotifiedAndUnknownRulesAreDropped() {
        Dispatcher d = dispatcher(20);
        d.onTransition(t(HOT, "p.a", Transition.Status.FIRING, NOW - 2 * 3_600_000L, NOW - 2 * 3_600_000L), NOW);
        d.onTransition(new Transition("removed", "p.a", Transition.Status.FIRING, NOW, NOW, 1, Map.of(), ""), NOW);
        assertEquals(List.of(), run(d, NOW, NOW + 120_000));
        assertEquals(1, d.unknownRule());
        assertEquals(1, d.ignoredOld());
    }
}
