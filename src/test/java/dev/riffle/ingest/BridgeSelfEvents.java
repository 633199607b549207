package dev.riffle.ingest;

import dev.riffle.core.Event;
import java.util.List;

/** The bridge's self-metric events as the bridge reports them, for tests outside this package. */
public final class BridgeSelfEvents {
    private BridgeSelfEvents() {
    }

    /** One report of a fresh bridge's counters (every counter, zeros included) by {@code host}. */
    public static List<Event> report(long nowMicros, String host) {
        return new SelfMetrics(new IngestCounters(), null, null, host).report(nowMicros);
    }
}
