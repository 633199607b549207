package dev.riffle.sink;

import dev.riffle.config.Config;
import dev.riffle.config.HostPort;
import dev.riffle.core.GraphiteNames;
import dev.riffle.core.Point;
import dev.riffle.core.PointTarget;
import dev.riffle.core.SeriesId;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Carbon as the sink's durable target: points as plaintext lines, in batches, to one or more endpoints (each path
 * to every endpoint or to the one the hash ring picks). Plaintext carbon acknowledges nothing, so a flush only
 * counts once the connections stayed open for the commit delay ({@link #confirm()} sees a close or reset); an
 * endpoint that fails is retried with a capped backoff ({@link #ready()}). Carbon overwrites a point with the same
 * timestamp, so the sink's replay after a failure is harmless.
 *
 * <p>The sink's own figures come to it like any point, from the points topic ({@link SelfPublisher}): carbon holds
 * nothing of its own through an outage.
 */
final class CarbonTarget implements PointTarget {
    private final CarbonTargets endpoints;
    private final Batch batch;
    private final long commitDelayMs;
    private final GraphiteNames names;

    /** @param names the sink thread's Graphite names (carbon is called from that thread only) */
    CarbonTarget(Config config, GraphiteNames names) {
        this.names = names;
        List<HostPort> graphite = config.get(SinkKeys.GRAPHITE);
        this.endpoints = new CarbonTargets(graphite, config.get(SinkKeys.MODE), config.get(SinkKeys.WRITE_TIMEOUT_MS),
                config.get(SinkKeys.MAX_BACKOFF_MS));
        this.batch = new Batch(graphite.size(), config.get(SinkKeys.BATCH_BYTES));
        this.commitDelayMs = config.get(SinkKeys.COMMIT_DELAY_MS);
    }

    @Override
    public String name() {
        return "carbon";
    }

    @Override
    public boolean durable() {
        return true;
    }

    /** Endpoints configured; with none ({@code graphite none}) the sink does not use this target. */
    int size() {
        return endpoints.size();
    }

    @Override
    public boolean accept(SeriesId series, Point point) {
        String path = names.path(series);
        if (path == null) {
            return true; // the sink skips and counts these before any target sees them
        }
        String line = PlaintextLine.of(path, point);
        return line == null || batch.add(line.getBytes(StandardCharsets.US_ASCII), endpoints.route(path));
    }

    @Override
    public boolean flush() {
        if (batch.isEmpty()) {
            return true;
        }
        boolean ok = endpoints.writeAll(batch.readyToWrite());
        batch.clear(); // written, or to be written again after the sink's rewind
        return ok;
    }

    @Override
    public boolean ready() {
        return endpoints.reconnectDue();
    }

    @Override
    public long millisUntilRetry() {
        return endpoints.millisToNextAttempt();
    }

    @Override
    public long commitDelayMillis() {
        return commitDelayMs;
    }

    @Override
    public boolean confirm() {
        if (endpoints.checkOpen()) {
            return true;
        }
        batch.clear();
        return false;
    }

    @Override
    public void committed() {
        endpoints.connections().forEach(CarbonConnection::healthy);
    }

    /** Outages of all endpoints so far; each is logged as one start, one end and one summary a minute. */
    long outages() {
        long n = 0;
        for (CarbonConnection c : endpoints.connections()) {
            n += c.outages();
        }
        return n;
    }

    /** Endpoints connected now. */
    int connectedCount() {
        return endpoints.connectedCount();
    }

    /** True while every endpoint is connected (and trivially with none). */
    boolean allConnected() {
        return endpoints.allConnected();
    }

    /** For the status line: {@code graphite none}, or how many endpoints are connected and why the others not. */
    String describe() {
        if (endpoints.size() == 0) {
            return "graphite none";
        }
        StringBuilder s = new StringBuilder("graphite ").append(endpoints.connectedCount()).append('/')
                .append(endpoints.size()).append(" connected");
        for (CarbonConnection c : endpoints.connections()) {
            if (!c.connected()) {
                s.append("; ").append(c.describe());
            }
        }
        return s.toString();
    }

    /** Bytes of lines waiting in the batch (for tests of the memory bound). */
    int bufferedBytes() {
        return batch.bufferedBytes();
    }

    void close() {
        endpoints.close();
    }
}
