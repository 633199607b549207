package dev.riffle.ingest;

import dev.riffle.core.Event;
import java.util.List;

/**
 * Turns one datagram into events: the one thing a new UDP protocol has to provide (the listener, gathering,
 * time checks and publishing are shared).
 */
interface DatagramDecoder {

    /**
     * Adds the datagram's good events to {@code into} and counts what it refuses, keeping the good parts of a
     * partly bad datagram.
     *
     * @param receiveMicros the time stamped on events that carry none
     * @throws MalformedInputException when nothing of the datagram can be read; the listener counts it
     */
    void decode(byte[] buf, int offset, int length, long receiveMicros, List<Event> into);
}
