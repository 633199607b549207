package dev.riffle.ingest;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * One accepted TCP connection as a {@link StreamHandler} sees it: reads that wait at most as long as asked, a
 * small reply buffer, and the two rules that keep a client from holding a connection slot for nothing:
 * <ul>
 * <li>idle: no byte for {@code idleTimeoutMillis} while the bridge owes the client nothing closes the connection;</li>
 * <li>too slow: once a unit of input (a frame, a line) has been arriving for {@link #GRACE_MILLIS}, at least
 *     {@code minBytesPerSecond} of it must have arrived per second since then (or all of it), else the connection
 *     is closed. Time the bridge itself spent not reading (waiting for memory or for Kafka) does not count.</li>
 * </ul>
 * Both end in a {@link Closed} exception that names the reason, for the listener to count.
 */
final class TcpConnection {
    /** How long a unit may take before the minimum rate applies: a round trip or two on a slow network. */
    static final long GRACE_MILLIS = 2_000;

    /** Why the bridge closed a connection. */
    static final class Closed extends IOException {
        final IngestCounters.Reason reason;

        Closed(IngestCounters.Reason reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String client;
    private final long idleTimeoutMillis;
    private final long minBytesPerSecond;
    private final ArrivalClock.Lane lane;
    private long lastInputAt = System.nanoTime();
    // the unit in progress: when it started (ns, moved on by time the bridge paused), bytes so far, bytes expected
    private boolean inUnit;
    private long unitStart;
    private long unitBytes;
    private long unitExpected;

    TcpConnection(Socket socket, int replyBuffer, long idleTimeoutMillis, long minBytesPerSecond,
                  ArrivalClock.Lane lane) throws IOException {
        this.socket = socket;
        this.lane = lane;
        this.in = socket.getInputStream();
        this.out = new BufferedOutputStream(socket.getOutputStream(), replyBuffer);
        this.client = String.valueOf(socket.getRemoteSocketAddress());
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.minBytesPerSecond = minBytesPerSecond;
    }

    String client() {
        return client;
    }

    /**
     * This connection's receive stamps: {@code arrive()} for input read, {@code handed(events)} and
     * {@code published()} once it is with the producer, {@code owing()} while answers are due; {@link #read} says
     * {@code drained()} itself before it waits for more, {@link #replied} says {@code replied()}.
     */
    ArrivalClock.Lane lane() {
        return lane;
    }

    OutputStream out() {
        return out;
    }

    /** Bytes that can be read without waiting. */
    int available() throws IOException {
        return in.available();
    }

    /** A unit of input begins with the bytes just read; {@code expected} is its size when known, else -1. */
    void unitStarted(long bytesSoFar, long expected) {
        inUnit = true;
        unitStart = System.nanoTime();
        unitBytes = bytesSoFar;
        unitExpected = expected;
    }

    void unitExpected(long expected) {
        unitExpected = expected;
    }

    void unitDone() {
        inUnit = false;
    }

    boolean inUnit() {
        return inUnit;
    }

    /** The bridge did not read for this long (memory, Kafka): neither the idle nor the rate rule counts it. */
    void paused(long nanos) {
        unitStart += nanos;
        lastInputAt = System.nanoTime();
    }

    /** The bridge answered the client: the idle clock starts again from now. */
    void replied() {
        lastInputAt = System.nanoTime();
        lane.replied();
    }

    /**
     * Reads what has arrived, waiting at most {@code maxWaitMillis} (0 = as long as the rules allow).
     *
     * @return bytes read, 0 when nothing arrived in time, -1 at the end of the stream
     * @throws Closed when the client broke the idle or the rate rule
     */
    int read(byte[] buf, int off, int len, long maxWaitMillis) throws IOException {
        long now = System.nanoTime();
        long wait = Math.max(1, millisUntilDeadline(now));
        if (maxWaitMillis > 0) {
            wait = Math.min(wait, maxWaitMillis);
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, wait));
        if (in.available() == 0) {
            lane.drained(); // everything that had arrived has been read
        }
        int n;
        try {
            n = in.read(buf, off, len);
        } catch (SocketTimeoutException timeout) {
            n = 0;
        }
        now = System.nanoTime();
        if (n > 0) {
            lastInputAt = now;
            if (inUnit) {
                unitBytes += n;
            }
        }
        if (n >= 0) {
            check(now);
        }
        return n;
    }

    private void check(long now) throws Closed {
        if (inUnit) {
            long required = required(now);
            if (unitBytes < required) {
                throw new Closed(IngestCounters.Reason.TOO_SLOW, client + " sent " + unitBytes + " bytes of a "
                        + (unitExpected < 0 ? "line" : unitExpected + "-byte frame") + " in "
                        + (now - unitStart) / 1_000_000 + " ms, under the minimum of " + minBytesPerSecond
                        + " bytes/s");
            }
        } else if (now - lastInputAt >= idleTimeoutMillis * 1_000_000L) {
            throw new Closed(IngestCounters.Reason.IDLE_TIMEOUT, client + " sent nothing for "
                    + idleTimeoutMillis + " ms");
        }
    }

    /** Bytes of the unit that must have arrived by {@code now}. */
    private long required(long now) {
        long overMillis = (now - unitStart) / 1_000_000L - GRACE_MILLIS;
        if (overMillis <= 0) {
            return 0;
        }
        long required = overMillis * minBytesPerSecond / 1000;
        return unitExpected >= 0 ? Math.min(required, unitExpected) : required;
    }

    private long millisUntilDeadline(long now) {
        if (inUnit) {
            // when the bytes so far stop being enough
            long due = unitStart + (GRACE_MILLIS + (unitBytes + 1) * 1000 / Math.max(1, minBytesPerSecond))
                    * 1_000_000L;
            return (due - now) / 1_000_000L + 1;
        }
        return (lastInputAt + idleTimeoutMillis * 1_000_000L - now) / 1_000_000L + 1;
    }

    /** Ends the connection with a reset instead of an orderly close, so the client knows not all went well. */
    void reset() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
