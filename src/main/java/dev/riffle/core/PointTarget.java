package dev.riffle.core;

/**
 * Where the sink's points consumer delivers each point of the points topic: stdout, the recent-points store of the
 * graphs page, and (through the sink's batches and offsets) carbon. A new backend is one new implementation.
 *
 * <p>Called from the sink's single consumer thread only, once per record the first time the sink reads it (a
 * rewind after a carbon outage does not deliver a record twice), in the order of each partition. An
 * implementation must not block for long: it holds up the consumer loop.
 */
public interface PointTarget {

    /** Short name for logs, e.g. {@code stdout}. */
    String name();

    /**
     * One point that the sink decoded and checked: {@code path} is the carbon-safe Graphite path, the value finite.
     */
    void accept(String path, Point point);

    /** The consumer is about to write a batch to carbon or to wait for more: hand on what is buffered. */
    default void flush() {
    }
}
