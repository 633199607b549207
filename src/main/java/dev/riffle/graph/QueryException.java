package dev.riffle.graph;

/** A find or render request that cannot be answered: bad target, unknown function, bad time. HTTP 400. */
public final class QueryException extends RuntimeException {
    public QueryException(String message) {
        super(message);
    }
}
