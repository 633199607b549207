package dev.riffle.client;

/** When to try the bridge again after a failure: 0.5 s, doubling up to 30 s, reset by a success. */
final class Backoff {
    private static final long FIRST_NANOS = 500_000_000L;
    private static final long MAX_NANOS = 30_000_000_000L;

    private long delayNanos;
    private long nextNanos;

    boolean due() {
        return delayNanos == 0 || System.nanoTime() - nextNanos >= 0;
    }

    void failed() {
        delayNanos = delayNanos == 0 ? FIRST_NANOS : Math.min(MAX_NANOS, delayNanos * 2);
        nextNanos = System.nanoTime() + delayNanos;
    }

    void succeeded() {
        delayNanos = 0;
    }
}
