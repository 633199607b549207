package dev.riffle.client;

/**
 * Counts things that happen often (requests, page views): Riffle reports their rate per second, per host and
 * for the fleet. Cheap enough to call for every request; never throws, never blocks.
 */
public final class Meter extends Instrument {
    Meter(EventQueue queue, Series series) {
        super(queue, series);
    }

    /** One more. */
    public void inc() {
        fire(1.0);
    }

    /** {@code n} more at once (e.g. rows written). */
    public void inc(long n) {
        fire(n);
    }
}
