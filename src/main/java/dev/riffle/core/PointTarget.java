package dev.riffle.core;

/**
 * Where the sink's points consumer delivers the points of the points topic: carbon, stdout, the recent-points store
 * of the graphs page. A new backend is one new implementation plus its wiring in the sink.
 *
 * <p>A target is one of two kinds, by {@link #durable()}:
 * <ul>
 *   <li><b>at most once</b> (the default: stdout, the recent store): handed each record once, the first time the
 *       sink reads it, in the order of each partition; it never makes the sink wait or rewind, and what it throws
 *       is counted and logged, nothing more. Only {@link #name()}, {@link #accept} and perhaps {@link #flush()}
 *       matter.
 *   <li><b>durable</b> (carbon): must hold every point. The sink commits an offset only after every durable
 *       target flushed the points before it and still {@link #confirm() confirmed} them once its
 *       {@link #commitDelayMillis() commit delay} had passed; then it tells each {@link #committed()}. When one
 *       fails (a flush or a confirmation returns false, or it is not {@link #ready()}) the sink pauses (or reads
 *       on for the at-most-once targets), rewinds to the last commit and delivers everything since again once
 *       every durable target is ready: a durable target must therefore be idempotent per (series, time), as carbon
 *       is (it overwrites a point with the same timestamp).
 * </ul>
 *
 * <p>A target names series itself, from their typed identity: the Graphite ones (carbon, stdout, the graphs store)
 * by {@link GraphiteNames}, a labelled backend from the fields of {@link SeriesId}.
 *
 * <p>Called from the sink's single consumer thread only. An implementation must not block for long: it holds up
 * the consumer loop (a durable target's write should give up within a timeout and report the failure by its return
 * value; an exception from a durable target stops the sink).
 */
public interface PointTarget {

    /** Short name for logs, e.g. {@code stdout}. */
    String name();

    /** True when the target must see every point (see the class comment); false for at most once. */
    default boolean durable() {
        return false;
    }

    /**
     * One point that the sink decoded and checked: the value is finite, and the series has a carbon-safe Graphite
     * path (the sink skips and counts those that have not, as carbon cannot store them).
     *
     * @return false only from a durable target whose buffer is full: the sink flushes, then offers the point again
     */
    boolean accept(SeriesId series, Point point);

    /**
     * Hands on what is buffered. Durable: true once it was written; false when the write failed, in which case the
     * target dropped its buffer, counts itself down ({@link #ready()} false) and the sink rewinds.
     */
    default boolean flush() {
        return true;
    }

    /**
     * Durable: true when the target is up. Called once per loop of the consumer; a target that is down may try to
     * reconnect here once its backoff has passed. While false the sink delivers nothing to it.
     */
    default boolean ready() {
        return true;
    }

    /** Durable, not {@link #ready()}: milliseconds until asking again is worthwhile (the sink polls meanwhile). */
    default long millisUntilRetry() {
        return 0;
    }

    /** Durable: how long what was flushed must stay confirmed before its offsets may be committed. */
    default long commitDelayMillis() {
        return 0;
    }

    /**
     * Durable: is everything flushed so far still safe (checked after each flush and before each commit)? False
     * when it was lost since (e.g. a connection closed): the target dropped its buffer and is down, the sink rewinds.
     */
    default boolean confirm() {
        return true;
    }

    /** Durable: the offsets of what it confirmed were committed (e.g. the end of an outage is proven). */
    default void committed() {
    }
}
