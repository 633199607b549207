package dev.riffle.client;

/**
 * Reports a level (users in the database, queue length): Riffle keeps the last value of each window. Its service
 * is prefixed {@code gauges.}. A value that is not finite is counted as invalid and not sent.
 */
public final class Gauge extends Instrument {
    Gauge(EventQueue queue, Series series) {
        super(queue, series);
    }

    public void report(double value) {
        fire(value);
    }
}
