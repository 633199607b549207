package dev.riffle.ingest;

/** The rules every decoded event must meet, whatever protocol it came by. */
final class EventCheck {
    private EventCheck() {
    }

    /** @throws MalformedInputException naming the rule broken, for the caller to count */
    static void require(String host, String service, Double metric) {
        if (host == null || host.isBlank() || service == null || service.isBlank()) {
            throw new MalformedInputException(IngestCounters.Reason.MISSING_HOST_OR_SERVICE,
                    "event without host or service");
        }
        if (metric != null && !Double.isFinite(metric)) {
            throw new MalformedInputException(IngestCounters.Reason.NON_FINITE_METRIC,
                    "metric " + metric + " of " + host + " " + service);
        }
    }
}
