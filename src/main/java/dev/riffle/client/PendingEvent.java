package dev.riffle.client;

/** One event waiting in the queue: the series it belongs to, its metric, and when it happened. */
record PendingEvent(Series series, double metric, long timeMicros) {
}
