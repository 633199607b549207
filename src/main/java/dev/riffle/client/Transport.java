package dev.riffle.client;

/**
 * How encoded messages reach the bridge. Used by the sender thread only (except {@link #abort()}); never throws:
 * every event is counted as sent or failed.
 */
interface Transport {
    /** Sends one Msg holding {@code events} events. */
    void send(byte[] msg, int events);

    /** Pushes out what is buffered and reads the answers already there, without waiting. */
    default void poll() {
    }

    /** Waits, until {@code deadlineNanos} at the latest, for answers still due. */
    default void finish(long deadlineNanos) {
    }

    /** Releases the socket; safe to call from another thread to unblock a sender stuck in a write. */
    void abort();
}
