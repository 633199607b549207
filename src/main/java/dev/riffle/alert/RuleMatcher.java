package dev.riffle.alert;

import dev.riffle.core.GraphiteGlob;
import dev.riffle.core.GraphiteNames;
import dev.riffle.core.SeriesId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which rules cover a series. The first point of a series has its path split once and checked against the
 * candidate rules only: those of its node count whose plain text at one chosen node position is the path's node
 * there, plus those with a wildcard at that position (with a rule per service, a series meets its service's rule
 * and the wide ones, not all of them);
 * each candidate compares plain nodes first, then wildcards (a lone {@code *} without a regex). The answer is kept
 * keyed by the path, so every later point of the series costs one hash lookup.
 *
 * <p>The rules are fixed for the life of a matcher: a rules change is a restart of the alert stage, which builds
 * new evaluators and so new matchers; an answer in the cache is never stale. The cache holds at most
 * {@code bound} series. Once full, a new series is matched and not kept; when as many series as the cache holds
 * have been matched past it (the fleet is larger than the bound, or it has changed: hosts replaced), the cache
 * is emptied and fills again with the series seen from then on. That costs one pass over the bound's worth of
 * series at most once per that many misses, and unlike a least-recently-used order it still hits for part of
 * a fleet larger than the bound that reports in the same order every window.
 *
 * <p>The points topic carries series identities, not paths: {@link #named} keeps, per identity, its path and its
 * rules in one entry, so a point of a known series costs one lookup (not one to name it and one to match it).
 */
final class RuleMatcher {
    private static final int[] NONE = new int[0];

    /**
     * A series' Graphite path as the topology names it (before carbon's sanitising; null: none) and its rules; and
     * the evaluator's memory of the series once it has one, so a point of a known series costs one lookup.
     */
    static final class Named {
        private final String path;
        private final int[] hit;
        /** set and read by the evaluator only */
        PointEvaluator.Memo memo;

        Named(String path, int[] hit) {
            this.path = path;
            this.hit = hit;
        }

        String path() {
            return path;
        }

        int[] hit() {
            return hit;
        }
    }

    private final List<Rule> rules;
    private final int bound;
    /** a path only meets the rules of its own node count */
    private final Map<Integer, Group> byNodeCount = new HashMap<>();
    /** answers by path ({@link #matching}) and by identity ({@link #named}): the stage uses the latter only */
    private final Bounded<String, int[]> byPath;
    private final Bounded<SeriesId, Named> byId;
    /** one array per distinct set of matching rules: 150k series share a handful of them */
    private final HashMap<RuleSet, int[]> shared = new HashMap<>();
    private long misses;
    private long clears;

    /** @param rules the rules every answer indexes into; @param bound series whose answer is kept at most */
    RuleMatcher(List<Rule> rules, int bound) {
        if (bound < 1) {
            throw new IllegalArgumentException("bound " + bound);
        }
        this.rules = List.copyOf(rules);
        this.bound = bound;
        this.byPath = new Bounded<>();
        this.byId = new Bounded<>();
        Map<Integer, List<Integer>> lists = new HashMap<>();
        for (int i = 0; i < this.rules.size(); i++) {
            lists.computeIfAbsent(this.rules.get(i).match().nodeCount(), n -> new ArrayList<>()).add(i);
        }
        lists.forEach((n, l) -> byNodeCount.put(n, Group.of(this.rules, n, l)));
    }

    /** The indexes (into the rules given) of the rules whose glob matches {@code path}, ascending; do not modify. */
    int[] matching(String path) {
        int[] hit = byPath.map.get(path);
        if (hit == null) {
            misses++;
            hit = match(path);
            byPath.keep(path, hit);
        }
        return hit;
    }

    /** A series' path and the indexes of its rules (as {@link #matching} answers); do not modify the array. */
    Named named(SeriesId id) {
        Named n = byId.map.get(id);
        if (n == null) {
            misses++;
            String named = GraphiteNames.of(id);
            String path = named == null || named.isEmpty() ? null : named;
            n = new Named(path, path == null ? NONE : match(path));
            byId.keep(id, n);
        }
        return n;
    }

    /** A cache of answers under the matcher's bound; emptied (with the shared arrays) once the fleet outgrows it. */
    private final class Bounded<K, V> {
        final HashMap<K, V> map = new HashMap<>(Math.min(bound, 1 << 16) * 4 / 3 + 1);
        private long overflow;

        void keep(K key, V value) {
            if (map.size() < bound) {
                map.put(key, value);
            } else if (++overflow >= bound) {
                map.clear(); // the series seen from now on fill it again
                shared.clear();
                overflow = 0;
                clears++;
            }
        }
    }

    /** The answer of {@link #matching} without keeping it: for a series met once (e.g. when a store is read). */
    int[] match(String path) {
        String[] nodes = split(path);
        Group group = byNodeCount.get(nodes.length);
        if (group == null) {
            return NONE;
        }
        int[] candidates = group.candidates(nodes);
        int[] found = new int[candidates.length];
        int n = 0;
        for (int i : candidates) {
            if (matches(rules.get(i).match(), nodes)) {
                found[n++] = i;
            }
        }
        if (n == 0) {
            return NONE;
        }
        int[] hit = Arrays.copyOf(found, n);
        if (shared.size() >= bound) {
            return hit;
        }
        return shared.computeIfAbsent(new RuleSet(hit), k -> k.indexes());
    }

    /** Plain nodes first (a string compare rules most rules out), wildcard nodes only then. */
    private static boolean matches(GraphiteGlob glob, String[] nodes) {
        for (int n = 0; n < nodes.length; n++) {
            if (glob.isLiteralNode(n) && !glob.matchesNode(n, nodes[n])) {
                return false;
            }
        }
        for (int n = 0; n < nodes.length; n++) {
            if (!glob.isLiteralNode(n) && !glob.matchesNode(n, nodes[n])) {
                return false;
            }
        }
        return true;
    }

    /** Splits on every dot, empty nodes kept (as {@code String.split("\\.", -1)}), without a regex. */
    static String[] split(String path) {
        int count = 1;
        for (int i = path.indexOf('.'); i >= 0; i = path.indexOf('.', i + 1)) {
            count++;
        }
        String[] nodes = new String[count];
        int start = 0;
        for (int k = 0; k < count - 1; k++) {
            int dot = path.indexOf('.', start);
            nodes[k] = path.substring(start, dot);
            start = dot + 1;
        }
        nodes[count - 1] = path.substring(start);
        return nodes;
    }

    /** Series whose answer is cached now. */
    int cached() {
        return byPath.map.size() + byId.map.size();
    }

    /** Paths matched against the rules (first sights, and every point of a series the cache could not keep). */
    long misses() {
        return misses;
    }

    /** How often the full cache was emptied to make room for the series seen since. */
    long clears() {
        return clears;
    }

    /**
     * The rules of one node count (indexes ascending, so transitions keep the config's order), indexed by the
     * plain text they require at {@code position}; {@code wild} are those with a wildcard there (all of them when
     * no position has plain text).
     */
    private record Group(int position, Map<String, int[]> byText, int[] wild) {
        static Group of(List<Rule> rules, int nodeCount, List<Integer> members) {
            int best = -1;
            long bestCost = members.size();
            for (int p = 0; p < nodeCount; p++) {
                Map<String, Integer> sizes = new HashMap<>();
                int wild = 0;
                for (int i : members) {
                    GraphiteGlob g = rules.get(i).match();
                    if (g.isLiteralNode(p)) {
                        sizes.merge(g.literalNode(p), 1, Integer::sum);
                    } else {
                        wild++;
                    }
                }
                long cost = wild + sizes.values().stream().mapToInt(Integer::intValue).max().orElse(0);
                if (cost < bestCost) {
                    best = p;
                    bestCost = cost;
                }
            }
            Map<String, List<Integer>> byText = new HashMap<>();
            List<Integer> wild = new ArrayList<>();
            for (int i : members) {
                GraphiteGlob g = rules.get(i).match();
                if (best >= 0 && g.isLiteralNode(best)) {
                    byText.computeIfAbsent(g.literalNode(best), t -> new ArrayList<>()).add(i);
                } else {
                    wild.add(i);
                }
            }
            Map<String, int[]> index = new HashMap<>();
            byText.forEach((t, l) -> index.put(t, l.stream().mapToInt(Integer::intValue).toArray()));
            return new Group(best, index, wild.stream().mapToInt(Integer::intValue).toArray());
        }

        /** The rules that may match a path of these nodes, ascending. */
        int[] candidates(String[] nodes) {
            if (position < 0) {
                return wild;
            }
            int[] named = byText.getOrDefault(nodes[position], NONE);
            if (named.length == 0 || wild.length == 0) {
                return named.length == 0 ? wild : named;
            }
            int[] out = new int[named.length + wild.length];
            int a = 0;
            int b = 0;
            for (int k = 0; k < out.length; k++) {
                out[k] = b >= wild.length || a < named.length && named[a] < wild[b] ? named[a++] : wild[b++];
            }
            return out;
        }
    }

    private record RuleSet(int[] indexes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof RuleSet other && Arrays.equals(indexes, other.indexes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(indexes);
        }

        @Override
        public String toString() {
            return Arrays.toString(indexes);
        }
    }
}
