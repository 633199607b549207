package dev.riffle.client;

/**
 * Records a distribution of values (result counts, payload sizes): Riffle reports percentiles per window. A value
 * that is not finite (NaN, infinity) is counted as invalid and not sent.
 */
public final class Histogram extends Instrument {
    Histogram(EventQueue queue, Series series) {
        super(queue, series);
    }

    public void record(double value) {
        fire(value);
    }
}
