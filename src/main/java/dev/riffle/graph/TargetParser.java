package dev.riffle.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * graphite-web's target grammar: calls with positional and keyword arguments, path expressions (with globs),
 * whole numbers (kept as {@code Long}, as graphite-web keeps Python ints: {@code constantLine(100)} names its
 * series {@code 100}, not {@code 100.0}), other numbers ({@code Double}), quoted strings (no escapes, as
 * graphite-web), {@code true} / {@code false} and {@code None}. A target that does not parse is a
 * {@link QueryException} naming the character.
 */
final class TargetParser {
    private static final int MAX_DEPTH = 32;
    private final String text;
    private int pos;
    private int depth;

    sealed interface Expr permits PathExpr, Call, Literal {
    }

    record PathExpr(String text) implements Expr {
    }

    record Call(String name, List<Expr> args, Map<String, Expr> kwargs) implements Expr {
    }

    record Literal(Object value) implements Expr {
        static final Object NONE = new Object() {
            @Override
            public String toString() {
                return "None";
            }
        };
    }

    private TargetParser(String text) {
        this.text = text;
    }

    static Expr parse(String target) {
        TargetParser p = new TargetParser(target);
        p.skipSpaces();
        Expr e = p.expression();
        p.skipSpaces();
        if (p.pos != target.length()) {
            throw p.error("unexpected '" + target.charAt(p.pos) + "'");
        }
        return e;
    }

    /** graphite-web's _getFirstPathExpression: the first path in a series name such as sumSeries(a.b). */
    static String firstPathExpression(String name) {
        try {
            Expr e = parse(name);
            while (e instanceof Call c) {
                Expr next = null;
                for (Expr a : c.args) {
                    if (a instanceof PathExpr || a instanceof Call) {
                        next = a;
                        break;
                    }
                }
                if (next == null) {
                    return name;
                }
                e = next;
            }
            return e instanceof PathExpr p ? p.text : name;
        } catch (QueryException ex) {
            return name;
        }
    }

    private QueryException error(String what) {
        return new QueryException("bad target '" + text + "': " + what + " at character " + (pos + 1));
    }

    private void skipSpaces() {
        while (pos < text.length() && text.charAt(pos) == ' ') {
            pos++;
        }
    }

    private Expr expression() {
        if (pos >= text.length()) {
            throw error("expected an expression");
        }
        char c = text.charAt(pos);
        if (c == '"' || c == '\'') {
            return new Literal(quoted(c));
        }
        int start = pos;
        int braces = 0;
        while (pos < text.length()) {
            char d = text.charAt(pos);
            if (d == '{') {
                braces++;
            } else if (d == '}') {
                braces--;
            } else if (braces == 0 && (d == ',' || d == ')' || d == '(' || d == '=' || d == ' ')) {
                break;
            }
            pos++;
        }
        String word = text.substring(start, pos);
        if (word.isEmpty()) {
            throw error("expected an expression");
        }
        if (pos < text.length() && text.charAt(pos) == '(') {
            if (!word.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw error("bad function name '" + word + "'");
            }
            return call(word);
        }
        if (word.equals("true") || word.equals("True")) {
            return new Literal(Boolean.TRUE);
        }
        if (word.equals("false") || word.equals("False")) {
            return new Literal(Boolean.FALSE);
        }
        if (word.equals("None")) {
            return new Literal(Literal.NONE);
        }
        if (word.matches("[-+]?\\d{1,18}")) {
            return new Literal(Long.parseLong(word));
        }
        if (word.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            return new Literal(Double.parseDouble(word));
        }
        return new PathExpr(word);
    }

    private Expr call(String name) {
        if (++depth > MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " deep");
        }
        pos++; // (
        List<Expr> args = new ArrayList<>();
        Map<String, Expr> kwargs = new LinkedHashMap<>();
        skipSpaces();
        if (pos < text.length() && text.charAt(pos) == ')') {
            pos++;
            depth--;
            return new Call(name, args, kwargs);
        }
        while (true) {
            skipSpaces();
            int mark = pos;
            Expr e = expression();
            skipSpaces();
            if (pos < text.length() && text.charAt(pos) == '=' && e instanceof PathExpr p
                    && p.text.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                pos++;
                skipSpaces();
                kwargs.put(p.text, expression());
                skipSpaces();
            } else if (!kwargs.isEmpty()) {
                pos = mark;
                throw error("positional argument after a keyword argument");
            } else {
                args.add(e);
            }
            if (pos >= text.length()) {
                throw error("missing ')'");
            }
            char c = text.charAt(pos++);
            if (c == ')') {
                depth--;
                return new Call(name, args, kwargs);
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or ')'");
            }
        }
    }

    private String quoted(char quote) {
        int start = ++pos;
        while (pos < text.length() && text.charAt(pos) != quote) {
            pos++;
        }
        if (pos >= text.length()) {
            throw error("unclosed quote");
        }
        return text.substring(start, pos++);
    }
}
