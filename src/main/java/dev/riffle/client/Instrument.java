package dev.riffle.client;

/**
 * What the five metric types share: one series and the queue of the client that made them. A disabled client
 * hands out instruments without a queue, so a call costs one branch.
 */
abstract class Instrument {
    final EventQueue queue;
    final Series series;

    Instrument(EventQueue queue, Series series) {
        this.queue = queue;
        this.series = series;
    }

    final void fire(double metric) {
        if (queue != null) {
            queue.offer(series, metric);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + series + (queue == null ? ", disabled]" : "]");
    }
}
