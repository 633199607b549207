package dev.riffle.core;

/**
 * The last check before a path reaches carbon. Carbon splits a plaintext line on whitespace, treats {@code ;} as
 * the start of tags, turns {@code /} into directories and every dot-separated segment into a directory or a
 * whisper file name; Graphite's query language reads {@code * ? [ ] { } ( ) ,} as globs and functions.
 *
 * <p>The rule: every character other than ASCII letters, digits and {@code - _ : + % @ #} becomes {@code _}
 * (one per code point: spaces, control characters, non-ASCII, {@code / ; * ( )} ...); empty segments (leading,
 * trailing or doubled dots) are dropped. A path with nothing left, a segment longer than
 * {@value #MAX_SEGMENT} characters (a whisper file name must fit in 255 bytes) or more than {@value #MAX_PATH}
 * characters in all is refused (null), and the sink counts and skips the point.
 */
public final class CarbonPath {
    public static final int MAX_SEGMENT = 200;
    public static final int MAX_PATH = 1000;

    private CarbonPath() {
    }

    /** The path carbon will get, or null when the point must be skipped. */
    public static String sanitise(String raw) {
        if (raw == null) {
            return null;
        }
        if (isClean(raw)) {
            return raw; // the common case: the topology built the path, nothing to copy
        }
        StringBuilder out = new StringBuilder(raw.length());
        int segment = 0;
        for (int i = 0; i < raw.length(); ) {
            int cp = raw.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '.') {
                segment = 0;
                continue; // a dot is written lazily, before the next segment's first character
            }
            if (segment == 0 && out.length() > 0) {
                out.append('.');
            }
            out.append(allowed(cp) ? (char) cp : '_');
            if (++segment > MAX_SEGMENT) {
                return null;
            }
        }
        return out.length() == 0 || out.length() > MAX_PATH ? null : out.toString();
    }

    private static boolean isClean(String path) {
        int n = path.length();
        if (n == 0 || n > MAX_PATH || path.charAt(0) == '.' || path.charAt(n - 1) == '.') {
            return false;
        }
        int segment = 0;
        for (int i = 0; i < n; i++) {
            char c = path.charAt(i);
            if (c == '.') {
                if (segment == 0) {
                    return false;
                }
                segment = 0;
            } else if (!allowed(c) || ++segment > MAX_SEGMENT) {
                return false;
            }
        }
        return true;
    }

    private static boolean allowed(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '_' || c == ':' || c == '+' || c == '%' || c == '@' || c == '#';
    }
}
