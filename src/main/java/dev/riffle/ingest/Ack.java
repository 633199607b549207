package dev.riffle.ingest;

/**
 * Kafka's answer for the events of one unit of input (a Riemann Msg, a gathering of JSON lines): done once Kafka
 * acknowledged every record they went into, failed as soon as one of them was refused or given up.
 */
final class Ack {
    /** For input without events: nothing to wait for. */
    static final Ack DONE = new Ack(0);

    private int waiting;
    private String failure;

    Ack(int records) {
        this.waiting = records;
    }

    static Ack failed(String why) {
        Ack a = new Ack(0);
        a.failure = why;
        return a;
    }

    synchronized void recordDone() {
        waiting--;
        if (waiting <= 0) {
            notifyAll();
        }
    }

    synchronized void recordFailed(String why) {
        if (failure == null) {
            failure = why;
        }
        waiting--;
        notifyAll();
    }

    /** Done or failed: the reply can be given. */
    synchronized boolean settled() {
        return waiting <= 0 || failure != null;
    }

    /** Why Kafka did not take every event, or null. Meaningful once {@link #settled()}. */
    synchronized String failure() {
        return failure;
    }

    /** Waits up to {@code millis} for the answer; true when settled. */
    synchronized boolean await(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!settled()) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }
}
