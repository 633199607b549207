package dev.riffle.sink;

import dev.riffle.config.HostPort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;

/**
 * The carbon endpoints of one sink and where each path goes: to every endpoint ({@code all}) or to the one the
 * {@link HashRing} picks ({@code hash}). Writes to all endpoints proceed together on one selector, under one
 * deadline, so a carbon that stops reading costs at most the write timeout and never blocks the sink for good.
 */
final class CarbonTargets implements AutoCloseable {
    private final List<CarbonConnection> connections = new ArrayList<>();
    private final SinkKeys.Mode mode;
    private final HashRing ring;
    private final long timeoutMs;
    private final Selector selector;

    CarbonTargets(List<HostPort> endpoints, SinkKeys.Mode mode, long timeoutMs, long maxBackoffMs) {
        endpoints.forEach(e -> connections.add(new CarbonConnection(e, maxBackoffMs)));
        this.mode = mode;
        this.ring = new HashRing(endpoints.stream().map(HostPort::toString).toList());
        this.timeoutMs = timeoutMs;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
    }

    int size() {
        return connections.size();
    }

    List<CarbonConnection> connections() {
        return connections;
    }

    /**
     * The endpoint a path goes to, or -1 for every endpoint. {@code all} mode and a single endpoint need no
     * hashing.
     */
    int route(String path) {
        return mode == SinkKeys.Mode.HASH && connections.size() > 1 ? ring.owner(path) : -1;
    }

    boolean allConnected() {
        for (CarbonConnection c : connections) {
            if (!c.connected()) {
                return false;
            }
        }
        return true;
    }

    int connectedCount() {
        int n = 0;
        for (CarbonConnection c : connections) {
            n += c.connected() ? 1 : 0;
        }
        return n;
    }

    /** Tries the endpoints whose backoff has passed; true when every endpoint is connected afterwards. */
    boolean reconnectDue() {
        long now = System.nanoTime();
        for (CarbonConnection c : connections) {
            if (c.attemptDue(now)) {
                c.connect(selector, timeoutMs);
            }
        }
        return allConnected();
    }

    /** Milliseconds until the next reconnection attempt is due (0 when one is due now). */
    long millisToNextAttempt() {
        long now = System.nanoTime();
        long best = Long.MAX_VALUE;
        for (CarbonConnection c : connections) {
            if (!c.connected()) {
                best = Math.min(best, Math.max(0, (c.nextAttemptNanos() - now) / 1_000_000));
            }
        }
        return best;
    }

    /** Checks every connection for a close or reset by carbon; false (and the endpoint marked down) if one was. */
    boolean checkOpen() {
        boolean ok = true;
        for (CarbonConnection c : connections) {
            if (c.connected()) {
                try {
                    c.checkOpen();
                } catch (IOException e) {
                    c.failed(e.toString());
                    ok = false;
                }
            }
        }
        return ok;
    }

    /**
     * Writes each endpoint's buffer (index = endpoint) completely, all at once, within the write timeout.
     * Returns true when every buffer went out; otherwise the endpoints that failed are marked down.
     */
    boolean writeAll(ByteBuffer[] out) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        int pending = 0;
        boolean ok = true;
        for (int i = 0; i < out.length; i++) {
            if (!out[i].hasRemaining()) {
                continue;
            }
            if (!connections.get(i).connected()) {
                ok = false; // lost since the batch began (the caller rewinds)
                continue;
            }
            try {
                if (!connections.get(i).writeSome(out[i])) {
                    pending++;
                }
            } catch (IOException e) {
                connections.get(i).failed(e.toString());
                ok = false;
            }
        }
        while (pending > 0) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                for (int i = 0; i < out.length; i++) {
                    if (out[i].hasRemaining() && connections.get(i).connected()) {
                        connections.get(i).failed("write timed out after " + timeoutMs
                                + " ms: carbon is not reading");
                    }
                }
                return false;
            }
            try {
                selector.select(left);
            } catch (IOException e) {
                throw new UncheckedIOException("selector failed", e);
            }
            for (SelectionKey key : selector.selectedKeys()) {
                CarbonConnection c = (CarbonConnection) key.attachment();
                int i = connections.indexOf(c);
                try {
                    if (key.isValid() && key.isWritable() && c.writeSome(out[i])) {
                        pending--;
                    }
                } catch (IOException e) {
                    c.failed(e.toString());
                    pending--;
                    ok = false;
                }
            }
            selector.selectedKeys().clear();
        }
        return ok;
    }

    @Override
    public void close() {
        connections.forEach(CarbonConnection::close);
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
