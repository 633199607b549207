package dev.riffle.topology;

import dev.riffle.core.Event;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Events through the real topology (default configuration, TopologyTestDriver), for tests outside this
 * package: each event reaches the bridge at its arrival time, the bridge ticks every window, and the ticks go on
 * until every window has closed and every meter has expired, so every point the events make is in the result.
 */
public final class TopologyRun {
    private static final long WINDOW_MS = 5_000;

    /** An event as the bridge received it: at {@code arrivalMs}, whatever the event's own time says. */
    public record Arrival(long arrivalMs, Event event) {
        public static Arrival onTime(Event e) {
            return new Arrival(e.timeMillis(), e);
        }
    }

    private TopologyRun() {
    }

    /** Every point line ({@code path value seconds}) the topology emits for these arrivals. */
    public static List<String> lines(List<Arrival> arrivals) {
        List<Arrival> inOrder = new ArrayList<>(arrivals);
        inOrder.sort(Comparator.comparingLong(Arrival::arrivalMs));
        try (Harness h = new Harness()) {
            long next = inOrder.get(0).arrivalMs() / WINDOW_MS * WINDOW_MS;
            h.tick(next);
            for (Arrival a : inOrder) {
                while (a.arrivalMs() >= next + WINDOW_MS) {
                    next += WINDOW_MS;
                    h.tick(next);
                }
                h.sendArrived(a.arrivalMs(), List.of(a.event()));
            }
            long end = inOrder.get(inOrder.size() - 1).arrivalMs() + 120_000; // past every expiry (60 s)
            for (int i = 0; i < 1_000 && next < end; i++) {
                next += WINDOW_MS;
                h.tick(next);
            }
            return h.lines();
        }
    }
}
