package dev.riffle.ingest;

import dev.riffle.core.Event;
import java.util.List;

/**
 * Turns one text line (without its line end) into events: what a line protocol provides. {@link DatagramLines}
 * carries it over UDP, {@link LineStream} over TCP.
 */
interface LineDecoder {

    /**
     * @throws MalformedInputException when the line is refused; the caller counts it and goes on with the next
     */
    void decodeLine(byte[] buf, int offset, int length, long receiveMicros, List<Event> into);
}
