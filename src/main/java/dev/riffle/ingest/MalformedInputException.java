package dev.riffle.ingest;

/**
 * Input that cannot be decoded, with the reason it is counted under; cheap to throw (no stack trace) because bad
 * packets can arrive at line rate.
 */
final class MalformedInputException extends RuntimeException {
    private final IngestCounters.Reason reason;

    MalformedInputException(String detail) {
        this(IngestCounters.Reason.MALFORMED_MESSAGE, detail);
    }

    MalformedInputException(IngestCounters.Reason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    IngestCounters.Reason reason() {
        return reason;
    }
}
