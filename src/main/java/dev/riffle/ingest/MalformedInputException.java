package dev.riffle.ingest;

/** Input that cannot be decoded; cheap to throw (no stack trace) because bad packets can arrive at line rate. */
final class MalformedInputException extends RuntimeException {
    MalformedInputException(String reason) {
        super(reason, null, false, false);
    }
}
