package dev.riffle.sink;

import dev.riffle.config.HostPort;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One carbon endpoint: a non-blocking socket (so that every connect and write has a deadline, which a blocking
 * Java socket write never has), its outage state and its reconnection backoff.
 *
 * <p>Logging is bounded: one line when the first connection comes up, one when an outage starts, one when it ends
 * (data written after it was confirmed), and in between one summary per {@value #SUMMARY_MS} ms, however often the
 * reconnection is tried or a reconnected carbon stalls again. Used by the sink thread only,
 * except the volatile fields read by {@link #describe}.
 */
final class CarbonConnection {
    private static final Logger log = LoggerFactory.getLogger(CarbonConnection.class);
    static final long SUMMARY_MS = 60_000;
    private static final long FIRST_BACKOFF_MS = 100;
    static final int SEND_BUFFER = 256 * 1024;

    private final HostPort endpoint;
    private final long maxBackoffMs;
    private final ByteBuffer probe = ByteBuffer.allocate(512);
    private SocketChannel channel;
    private SelectionKey key;
    private long backoffMs = FIRST_BACKOFF_MS;
    private long nextAttemptNanos;
    private long lastSummaryMillis;
    private int failedAttempts;
    private long outages;
    private boolean inOutage;
    private volatile boolean connected;
    private volatile long downSinceMillis = -1;
    private volatile String lastError = "";

    CarbonConnection(HostPort endpoint, long maxBackoffMs) {
        this.endpoint = endpoint;
        this.maxBackoffMs = maxBackoffMs;
        this.nextAttemptNanos = System.nanoTime(); // the first attempt is due at once
    }

    HostPort endpoint() {
        return endpoint;
    }

    boolean connected() {
        return connected;
    }

    boolean attemptDue(long nowNanos) {
        return !connected && nowNanos - nextAttemptNanos >= 0;
    }

    long nextAttemptNanos() {
        return nextAttemptNanos;
    }

    /** Connections lost or refused so far (each outage once, not each attempt). */
    long outages() {
        return outages;
    }

    String lastError() {
        return lastError;
    }

    /** Opens the connection within the timeout, registering it with the sink's selector; false when it failed. */
    boolean connect(Selector selector, long timeoutMs) {
        try {
            SocketChannel ch = SocketChannel.open();
            channel = ch;
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            // a fixed send buffer (Linux otherwise grows it to MBs): bytes parked in the kernel are bytes carbon
            // may never read, and a carbon that stops reading must make the next write stall and time out
            ch.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
            key = ch.register(selector, 0, this);
            if (!ch.connect(new InetSocketAddress(endpoint.host(), endpoint.port()))) {
                key.interestOps(SelectionKey.OP_CONNECT);
                long deadline = System.nanoTime() + timeoutMs * 1_000_000;
                while (!ch.finishConnect()) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        throw new IOException("connect timed out after " + timeoutMs + " ms");
                    }
                    selector.select(left);
                    selector.selectedKeys().clear();
                }
                key.interestOps(0);
            }
        } catch (IOException | RuntimeException e) {
            failed(e.toString());
            return false;
        }
        connected = true;
        if (!inOutage) {
            log.info("connected to carbon {}", endpoint);
        } else {
            log.debug("reconnected to carbon {}; the outage ends once data written to it is confirmed", endpoint);
        }
        return true;
    }

    /** Writes what the socket takes now; true when the buffer is empty. */
    boolean writeSome(ByteBuffer lines) throws IOException {
        channel.write(lines);
        boolean done = !lines.hasRemaining();
        key.interestOps(done ? 0 : SelectionKey.OP_WRITE);
        return done;
    }

    /**
     * Carbon never sends anything on the plaintext port, so a readable socket means it closed the connection
     * (end of stream) or reset it: that is how a restarted or stopped carbon is noticed before the next write.
     */
    void checkOpen() throws IOException {
        probe.clear();
        if (channel.read(probe) < 0) {
            throw new EOFException("carbon closed the connection");
        }
    }

    /**
     * Data written over this connection was confirmed: an outage is over (a carbon that accepts connections but
     * then stops reading does not end it), and the next one starts again with a short backoff.
     */
    void healthy() {
        backoffMs = FIRST_BACKOFF_MS;
        if (inOutage) {
            log.info("carbon {} is back after {} s ({} failed attempts); what it may have missed was written again",
                    endpoint, (System.currentTimeMillis() - downSinceMillis) / 1000, failedAttempts);
            inOutage = false;
            downSinceMillis = -1;
            failedAttempts = 0;
        }
    }

    /** Closes the connection after a failure and schedules the next attempt. */
    void failed(String reason) {
        close();
        lastError = reason;
        long now = System.currentTimeMillis();
        failedAttempts++;
        if (!inOutage) {
            inOutage = true;
            outages++;
            downSinceMillis = now;
            lastSummaryMillis = now;
            log.warn("carbon {} unavailable: {}; holding points in Kafka and retrying every {} ms at most",
                    endpoint, reason, maxBackoffMs);
        } else if (now - lastSummaryMillis >= SUMMARY_MS) {
            lastSummaryMillis = now;
            log.warn("carbon {} still down after {} s ({} attempts, last error: {})", endpoint,
                    (now - downSinceMillis) / 1000, failedAttempts, reason);
        }
        connected = false;
        nextAttemptNanos = System.nanoTime() + backoffMs * 1_000_000;
        backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
    }

    void close() {
        connected = false;
        if (key != null) {
            key.cancel();
            key = null;
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already broken
            }
            channel = null;
        }
    }

    /** For the status line: {@code 127.0.0.1:2003 up} or {@code ... down 35 s (Connection refused)}. */
    String describe() {
        if (connected) {
            return endpoint + " up";
        }
        long since = downSinceMillis;
        return endpoint + " down" + (since > 0 ? " " + (System.currentTimeMillis() - since) / 1000 + " s" : "")
                + (lastError.isEmpty() ? "" : " (" + lastError + ")");
    }
}
