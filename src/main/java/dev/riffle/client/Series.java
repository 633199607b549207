package dev.riffle.client;

/**
 * What every event of one instrument shares: its service and its tags (environment, then kind). Built once when
 * the instrument is made, so the caller's thread only pairs it with a value and a time.
 */
final class Series {
    final String service;
    final String[] tags;

    Series(String service, String environment, Kind kind) {
        this.service = service;
        this.tags = environment == null ? new String[] {kind.tag} : new String[] {environment, kind.tag};
    }

    @Override
    public String toString() {
        return service + " " + String.join(",", tags);
    }
}
