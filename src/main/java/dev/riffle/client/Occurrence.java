package dev.riffle.client;

/**
 * Marks rare things worth seeing on a graph (a deploy, a signup): Riffle reports 1 for each window that saw one.
 */
public final class Occurrence extends Instrument {
    Occurrence(EventQueue queue, Series series) {
        super(queue, series);
    }

    public void mark() {
        fire(1.0);
    }
}
