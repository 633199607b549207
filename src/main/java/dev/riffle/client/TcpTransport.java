package dev.riffle.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * Riemann over TCP: each Msg framed by a 4-byte big-endian length, each answered in order by a framed Msg. Its
 * events count as sent once the answer says ok. Answers are read only when already there, so the sender never
 * waits for them except at close. A broken connection counts the unanswered events as failed and is opened again
 * after a pause. A connection the bridge closed while it owed nothing (its idle timeout) is noticed within a second
 * and opened again before the next message, so quiet spells cost no events.
 */
final class TcpTransport extends Transport {
    private static final int CONNECT_TIMEOUT_MS = 1_000;
    private static final int MAX_UNANSWERED = 1_024;
    private static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final long PROBE_NANOS = 1_000_000_000L;

    /** Events in each message sent and not answered yet, oldest first. */
    private final ArrayDeque<Integer> unanswered = new ArrayDeque<>();
    private volatile Socket socket;
    private DataOutputStream out;
    private BufferedInputStream in;
    private long lastProbeNanos = System.nanoTime();

    TcpTransport(String host, int port, ClientCounters counters, FailureLog failures) {
        super(host, port, counters, failures);
    }

    @Override
    void deliver(byte[] msg, int events) {
        unanswered.add(events);
        try {
            out.writeInt(msg.length);
            out.write(msg);
            if (unanswered.size() > MAX_UNANSWERED) {
                throw new IOException("no answer to " + unanswered.size() + " messages");
            }
        } catch (IOException | RuntimeException e) {
            broken(e);
        }
    }

    @Override
    void poll() {
        if (socket == null) {
            return;
        }
        try {
            out.flush();
            readAnswers();
            long now = System.nanoTime();
            if (unanswered.isEmpty() && now - lastProbeNanos >= PROBE_NANOS) {
                lastProbeNanos = now;
                if (closedByBridge()) {
                    abort(); // nothing was owed, nothing lost: the next message opens a new connection
                }
            }
        } catch (IOException | RuntimeException e) {
            broken(e);
        }
    }

    /** Whether the bridge ended the connection (an idle timeout); waits at most a millisecond to tell. */
    private boolean closedByBridge() throws IOException {
        Socket s = socket;
        s.setSoTimeout(1);
        in.mark(1);
        try {
            if (in.read() < 0) {
                return true;
            }
            in.reset(); // an answer's first byte: leave it for readAnswers
            return false;
        } catch (java.net.SocketTimeoutException open) {
            return false;
        } finally {
            s.setSoTimeout(0);
        }
    }

    @Override
    void finish(long deadlineNanos) {
        poll();
        while (socket != null && !unanswered.isEmpty() && System.nanoTime() - deadlineNanos < 0) {
            LockSupport.parkNanos(2_000_000L);
            poll();
        }
        if (socket != null && !unanswered.isEmpty()) {
            broken(new IOException("no answer before close"));
        }
        abort();
    }

    @Override
    boolean ready() {
        if (socket != null) {
            return true;
        }
        if (!backoff.due()) {
            return false;
        }
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 * 1024));
            in = new BufferedInputStream(s.getInputStream(), 4 * 1024);
            socket = s;
            backoff.succeeded();
            return true;
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            failures.warn("cannot connect to " + bridge("TCP") + ": " + e);
            backoff.failed();
            return false;
        }
    }

    private void readAnswers() throws IOException {
        DataInputStream data = new DataInputStream(in);
        while (!unanswered.isEmpty() && in.available() >= 4) {
            in.mark(4);
            int length = data.readInt();
            if (length < 0 || length > MAX_ANSWER_BYTES) {
                throw new IOException("unreadable answer of " + length + " bytes");
            }
            if (in.available() < length) {
                in.reset(); // the rest is still on its way
                return;
            }
            String error = RiemannMessage.replyError(data.readNBytes(length));
            int events = unanswered.remove();
            if (error == null) {
                counters.sent.add(events);
            } else {
                counters.failed.add(events);
                failures.warn("the bridge refused " + events + " events: " + error);
            }
        }
    }

    private void broken(Exception e) {
        int lost = 0;
        for (int events : unanswered) {
            lost += events;
        }
        unanswered.clear();
        counters.failed.add(lost);
        failures.warn("connection to " + bridge("TCP") + " lost (" + lost
                + " events unconfirmed): " + e);
        abort();
        backoff.failed();
    }

    @Override
    void abort() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing; nothing more to do
        }
    }
}
