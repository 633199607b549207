package dev.riffle.core;

/**
 * Riffle cannot start for a reason the user can act on (a port in use, a data directory held by another process).
 * The command line prints its message as one line instead of a stack trace, and exits 1.
 */
public final class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message);
    }
}
