package dev.riffle.core;

/**
 * One Graphite datapoint: a value for a window, stamped with the window start in whole seconds.
 * The Graphite path travels as the Kafka record key on the points topic.
 */
public record Point(double value, long timestampSeconds) {
}
