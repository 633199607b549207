package dev.riffle.client;

import java.util.logging.Logger;

/**
 * Tells about delivery problems through java.util.logging, at most one line a minute, so an application whose
 * bridge is down is not flooded; the lines held back are counted in the next one. Used by the sender thread only.
 */
final class FailureLog {
    static final Logger LOG = Logger.getLogger("dev.riffle.client");
    private static final long QUIET_NANOS = 60_000_000_000L;

    private long nextNanos;
    private boolean logged;
    private int heldBack;

    void warn(String problem) {
        long now = System.nanoTime();
        if (logged && now - nextNanos < 0) {
            heldBack++;
            return;
        }
        LOG.warning("riffle client: " + problem
                + (heldBack > 0 ? " (" + heldBack + " more problems in the last minute not logged)" : ""));
        logged = true;
        heldBack = 0;
        nextNanos = now + QUIET_NANOS;
    }
}
