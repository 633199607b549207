package dev.riffle.core;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A Graphite path pattern as graphite-web reads one in {@code /metrics/find} and {@code target=}: the pattern is
 * split on dots into nodes and a path matches when it has as many nodes and each node matches its own. Within a
 * node: {@code *} any run of characters (none too), {@code ?} one character, {@code [abc]} / {@code [a-z]} /
 * {@code [!a]} a character class, {@code {a,b}} alternatives (which may hold wildcards themselves). A dot
 * never matches inside a node.
 *
 * <p>{@code production.*.search-time.value.99} matches every host's p99 search time and the all-hosts series.
 */
public final class GraphiteGlob {
    private final String text;
    private final Pattern[] nodes; // null entry = a literal node, compared as is
    private final String[] literals;
    private final boolean[] any; // the node is a lone '*': every node matches

    private GraphiteGlob(String text, Pattern[] nodes, String[] literals, boolean[] any) {
        this.text = text;
        this.nodes = nodes;
        this.literals = literals;
        this.any = any;
    }

    /** @throws IllegalArgumentException naming what is wrong (an unclosed bracket or brace, an empty node) */
    public static GraphiteGlob compile(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException("empty pattern");
        }
        List<String> parts = splitNodes(pattern);
        Pattern[] nodes = new Pattern[parts.size()];
        String[] literals = new String[parts.size()];
        boolean[] any = new boolean[parts.size()];
        for (int i = 0; i < parts.size(); i++) {
            String node = parts.get(i);
            if (node.isEmpty()) {
                throw new IllegalArgumentException("empty node in pattern '" + pattern + "'");
            }
            if (isLiteral(node)) {
                literals[i] = node;
            } else {
                any[i] = node.equals("*");
                try {
                    nodes[i] = Pattern.compile(nodeRegex(node, pattern));
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("bad pattern '" + pattern + "': " + e.getDescription());
                }
            }
        }
        return new GraphiteGlob(pattern, nodes, literals, any);
    }

    /** How many dot-separated nodes a matching path has. */
    public int nodeCount() {
        return nodes.length;
    }

    /** Whether node {@code index} of a path, {@code node}, matches the pattern's node there. */
    public boolean matchesNode(int index, String node) {
        if (literals[index] != null) {
            return literals[index].equals(node);
        }
        return any[index] || nodes[index].matcher(node).matches();
    }

    /** Whether node {@code index} is plain text (no wildcard), so it names one value. */
    public boolean isLiteralNode(int index) {
        return literals[index] != null;
    }

    /** The text of node {@code index} when it is plain (see {@link #isLiteralNode}), else null. */
    public String literalNode(int index) {
        return literals[index];
    }

    /** Whether the whole path matches. */
    public boolean matches(String path) {
        int start = 0;
        for (int i = 0; i < nodes.length; i++) {
            int dot = path.indexOf('.', start);
            boolean last = i == nodes.length - 1;
            if (last != (dot < 0)) {
                return false; // too few or too many nodes
            }
            String node = last ? path.substring(start) : path.substring(start, dot);
            if (!matchesNode(i, node)) {
                return false;
            }
            start = dot + 1;
        }
        return true;
    }

    /** True when the pattern has no wildcard at all, so it names one path. */
    public boolean isLiteral() {
        for (String literal : literals) {
            if (literal == null) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }

    /** Splits on dots outside braces: {@code a.{b.c,d}} is not split inside the braces (graphite-web keeps them). */
    private static List<String> splitNodes(String pattern) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth < 0) {
                    throw new IllegalArgumentException("unmatched '}' in pattern '" + pattern + "'");
                }
            } else if (c == '.' && depth == 0) {
                parts.add(pattern.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("unclosed '{' in pattern '" + pattern + "'");
        }
        parts.add(pattern.substring(start));
        return parts;
    }

    private static boolean isLiteral(String node) {
        for (int i = 0; i < node.length(); i++) {
            char c = node.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                return false;
            }
        }
        return true;
    }

    private static String nodeRegex(String node, String pattern) {
        StringBuilder re = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < node.length(); i++) {
            char c = node.charAt(i);
            switch (c) {
                case '*' -> re.append("[^.]*");
                case '?' -> re.append("[^.]");
                case '[' -> {
                    int close = node.indexOf(']', i + 2 <= node.length() ? i + 2 : i + 1);
                    if (close < 0) {
                        throw new IllegalArgumentException("unclosed '[' in pattern '" + pattern + "'");
                    }
                    String body = node.substring(i + 1, close);
                    boolean negate = body.startsWith("!") || body.startsWith("^");
                    if (negate) {
                        body = body.substring(1);
                    }
                    re.append(negate ? "[^." : "[");
                    for (char b : body.toCharArray()) {
                        re.append(b == '-' || Character.isLetterOrDigit(b) ? String.valueOf(b) : "\\" + b);
                    }
                    re.append(']');
                    i = close;
                }
                case '{' -> {
                    depth++;
                    re.append("(?:");
                }
                case '}' -> {
                    depth--;
                    re.append(')');
                }
                case ',' -> re.append(depth > 0 ? "|" : ",");
                case '.' -> re.append("\\."); // only inside braces; such an alternative can never match one node
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
