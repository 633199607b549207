package dev.riffle.alert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.GraphiteGlob;
import dev.riffle.core.GraphiteNames;
import dev.riffle.core.SeriesId;
import dev.riffle.core.Statistic;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The matcher's answers against every glob checked on every path, with caches that hold all, some or one series. */
class RuleMatcherTest {
    private static final String[][] NODE_GLOBS = {
        {"production", "staging", "*", "{production,staging}", "prod*"},
        {"h1", "h2", "h1?", "h[0-4]", "*", "h*", "{h1,h22}", "[!h]*"},
        {"lat", "cpu", "*", "{lat,cpu}", "l?t"},
        {"value", "*", "count"},
    };
    private static final String[][] NODES = {
        {"production", "staging", "dev", "prod2", ""},
        {"h1", "h2", "h11", "h22", "h5", "x1", ""},
        {"lat", "cpu", "lot", "mem"},
        {"value", "count", "99"},
    };

    static GraphiteGlob randomGlob(Random r) {
        int n = 2 + r.nextInt(3);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String[] choices = NODE_GLOBS[i];
            b.append(i == 0 ? "" : ".").append(choices[r.nextInt(choices.length)]);
        }
        return GraphiteGlob.compile(b.toString());
    }

    static String randomPath(Random r) {
        int n = 1 + r.nextInt(4);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ".").append(NODES[i][r.nextInt(NODES[i].length)]);
        }
        return b.toString();
    }

    static List<Rule> randomRules(Random r, int count) {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            GraphiteGlob glob = randomGlob(r);
            rules.add(EvaluationOracleTest.threshold("r" + i, glob.toString(), true, 1, 0, 0));
        }
        return rules;
    }

    @Test
    void everyAnswerIsWhatCheckingEveryGlobSays() {
        int matches = 0;
        for (int seed = 0; seed < 40; seed++) {
            Random r = new Random(seed);
            List<Rule> rules = randomRules(r, 1 + r.nextInt(30));
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                paths.add(randomPath(r));
            }
            for (int bound : new int[] {1, 7, 1_000}) {
                RuleMatcher m = new RuleMatcher(rules, bound);
                for (int i = 0; i < 600; i++) {
                    String path = paths.get(r.nextInt(paths.size()));
                    int[] expected = java.util.stream.IntStream.range(0, rules.size())
                            .filter(k -> rules.get(k).match().matches(path)).toArray();
                    assertArrayEquals(expected, m.matching(path), "seed " + seed + " bound " + bound + " " + path
                            + " rules " + rules.stream().map(x -> x.match().toString()).toList());
                    assertTrue(m.cached() <= bound, "the cache keeps its bound");
                    matches += expected.length;
                }
            }
        }
        assertTrue(matches > 10_000, "the globs match often enough to mean something: " + matches);
    }

    @Test
    void aKnownSeriesIsNotMatchedAgainAndAFleetPastTheBoundEmptiesAndRefillsTheCache() {
        List<Rule> rules = List.of(EvaluationOracleTest.threshold("a", "production.*.lat", true, 1, 0, 0));
        RuleMatcher m = new RuleMatcher(rules, 10);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(new int[] {0}, m.matching("production.h" + i + ".lat"));
            }
        }
        assertEquals(10, m.misses(), "each series matched once, then answered from the cache");
        assertEquals(10, m.cached());
        for (int round = 0; round < 3; round++) { // 25 series in the same order every round, 10 kept at most
            for (int i = 0; i < 25; i++) {
                assertArrayEquals(new int[] {0}, m.matching("production.h" + i + ".lat"));
                assertTrue(m.cached() <= 10);
            }
        }
        assertTrue(m.clears() >= 3, "emptied as the fleet outgrew it: " + m.clears());
        assertTrue(m.misses() < 10 + 75, "part of the fleet still answered from the cache: " + m.misses());
    }

    /** By identity (what the stage uses): the topology's path and the same rules as by path, under the same bound. */
    @Test
    void aSeriesByIdentityGetsItsPathAndTheRulesOfThatPath() {
        List<Rule> rules = List.of(EvaluationOracleTest.threshold("all", "production.*.*.value.99", true, 1, 0, 0),
                EvaluationOracleTest.threshold("lat", "production.*.lat.value.99", true, 1, 0, 0),
                EvaluationOracleTest.threshold("h1", "production.h1.*.*.*", true, 1, 0, 0),
                EvaluationOracleTest.threshold("rate", "*.*.*.rate-per-second", true, 1, 0, 0));
        for (int bound : new int[] {1, 5, 1_000}) {
            RuleMatcher m = new RuleMatcher(rules, bound);
            RuleMatcher byPath = new RuleMatcher(rules, 1_000);
            Random r = new Random(bound);
            for (int i = 0; i < 400; i++) {
                String host = "h" + r.nextInt(12);
                String service = r.nextBoolean() ? "lat" : "cpu";
                SeriesId id = r.nextBoolean() ? SeriesId.host("production", host, service,
                        Statistic.percentile("value", "0.99")) : SeriesId.host("staging", host, service,
                        Statistic.rate("rate-per-second"));
                RuleMatcher.Named named = m.named(id);
                assertEquals(new GraphiteNames(false).path(id), named.path());
                assertArrayEquals(byPath.matching(named.path()), named.hit(), named.path());
                assertTrue(m.cached() <= bound, "the cache keeps its bound");
            }
            assertTrue(bound == 1_000 ? m.misses() <= 48 && m.clears() == 0 : m.clears() > 0,
                    "bound " + bound + ": misses " + m.misses() + ", clears " + m.clears());
        }
    }

    @Test
    void splitKeepsEmptyNodesAsStringSplitDoes() {
        for (String path : new String[] {"a", "a.b", ".a", "a.", "a..b", ".", "", "x.y.z.w"}) {
            assertArrayEquals(path.split("\\.", -1), RuleMatcher.split(path), path);
        }
    }
}
