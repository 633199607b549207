package dev.riffle.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Serves one TCP connection of one protocol: reads until the client is done, answering as the protocol wants.
 * The one thing a new TCP protocol has to provide (accepting, the connection limit and closing are shared).
 */
interface StreamHandler {

    /**
     * @param in  buffered; blocking reads are how backpressure reaches the client: while this method waits for
     *            Kafka it does not read
     * @param out buffered; flush when replies should leave
     * @param lane this connection's receive stamps: {@code arrive()} for input read, {@code published()} once
     *             it is with the producer, {@code drained()} before waiting for more
     */
    void serve(InputStream in, OutputStream out, String client, ArrivalClock.Lane lane)
            throws IOException, InterruptedException;
}
