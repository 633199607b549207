package dev.riffle.topology;

/**
 * Saved state or an exchanged record in a format this Riffle cannot read: written by a newer version, or
 * damaged. Processing stops with this message rather than guess; README "Upgrading" says what to do.
 */
final class IncompatibleStateException extends RuntimeException {
    IncompatibleStateException(String where, String what) {
        super(where + " holds " + what + ", which this version of Riffle cannot read (written by a newer Riffle,"
                + " or damaged). Run the Riffle that wrote it, or start this application over: stop every"
                + " `riffle streams`, reset the application (kafka-streams-application-reset --application-id"
                + " <topology.application_id>, or a new topology.application_id) and replay the events"
                + " (see README, Upgrading)");
    }
}
