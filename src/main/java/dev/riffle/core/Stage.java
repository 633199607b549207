package dev.riffle.core;

/**
 * One running part of the pipeline (bridge, topology, sink). The CLI starts stages, prints their status line
 * every few seconds and closes them in reverse order on shutdown.
 */
public interface Stage extends AutoCloseable {

    /** Short name used in the status line, e.g. {@code bridge}. */
    String name();

    /** Starts the stage's threads; returns once it is accepting work. */
    void start() throws Exception;

    /** One line of figures for humans, e.g. {@code events in 120, dropped 0}. Must be cheap and thread-safe. */
    String status();

    /** Stops the stage, flushing what it holds; never throws. */
    @Override
    void close();
}
