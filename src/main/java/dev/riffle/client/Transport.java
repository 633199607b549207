package dev.riffle.client;

/**
 * How encoded messages reach the bridge. Used by the sender thread only (except {@link #abort()}); never throws:
 * every event is counted as sent or failed.
 */
abstract class Transport {
    final String host;
    final int port;
    final ClientCounters counters;
    final FailureLog failures;
    /** When to try again after the bridge could not be reached. */
    final Backoff backoff = new Backoff();

    Transport(String host, int port, ClientCounters counters, FailureLog failures) {
        this.host = host;
        this.port = port;
        this.counters = counters;
        this.failures = failures;
    }

    /** Sends one Msg holding {@code events} events; they fail at once while the bridge cannot be reached. */
    final void send(byte[] msg, int events) {
        if (ready()) {
            deliver(msg, events);
        } else {
            counters.failed.add(events);
        }
    }

    /** Whether there is a socket to the bridge, opening one when the backoff allows. */
    abstract boolean ready();

    abstract void deliver(byte[] msg, int events);

    /** Pushes out what is buffered and reads the answers already there, without waiting. */
    void poll() {
    }

    /** Waits, until {@code deadlineNanos} at the latest, for answers still due. */
    void finish(long deadlineNanos) {
    }

    /** Releases the socket; safe to call from another thread to unblock a sender stuck in a write. */
    abstract void abort();

    /** The bridge's address and protocol, for log lines. */
    String bridge(String protocol) {
        return "the bridge " + host + ":" + port + " over " + protocol;
    }
}
