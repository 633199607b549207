package dev.riffle.sink;

import dev.riffle.core.GraphiteNames;
import dev.riffle.core.Point;
import dev.riffle.core.PointTarget;
import dev.riffle.core.SeriesId;
import java.io.PrintStream;

/**
 * {@code print_points}: every point as a Graphite plaintext line on stdout, gathered and printed when the sink
 * flushes (at most {@link #MAX_BUFFERED_CHARS} are held). Riffle's own figures (paths under the self host,
 * {@code riffle.} by default) are left out unless {@code print_self} asks for them: a newcomer wants to see the
 * points of the events they sent.
 */
final class StdoutTarget implements PointTarget {
    static final int MAX_BUFFERED_CHARS = 64 * 1024;

    private final PrintStream out;
    private final String selfPrefix;
    private final StringBuilder buffer = new StringBuilder();
    private final GraphiteNames names;
    private long printed;
    private long selfLeftOut;

    /**
     * @param selfPrefix paths starting with it are Riffle's own; null = print them too
     * @param names      the sink thread's Graphite names
     */
    StdoutTarget(PrintStream out, String selfPrefix, GraphiteNames names) {
        this.names = names;
        this.out = out;
        this.selfPrefix = selfPrefix;
    }

    @Override
    public String name() {
        return "stdout";
    }

    @Override
    public boolean accept(SeriesId series, Point point) {
        String path = names.path(series);
        if (path == null) {
            return true;
        }
        if (selfPrefix != null && path.startsWith(selfPrefix)) {
            selfLeftOut++;
            return true;
        }
        String line = PlaintextLine.of(path, point);
        if (line == null) {
            return true;
        }
        buffer.append(line);
        printed++;
        if (buffer.length() >= MAX_BUFFERED_CHARS) {
            flush();
        }
        return true;
    }

    @Override
    public boolean flush() {
        if (buffer.length() > 0) {
            out.print(buffer);
            out.flush();
            buffer.setLength(0);
        }
        return true;
    }

    long printed() {
        return printed;
    }

    long selfLeftOut() {
        return selfLeftOut;
    }
}
