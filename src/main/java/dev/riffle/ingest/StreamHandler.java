package dev.riffle.ingest;

import java.io.IOException;

/**
 * Serves one TCP connection of one protocol: reads until the client is done, answering as the protocol wants.
 * The one thing a new TCP protocol has to provide (accepting, the connection limit, the idle and rate rules and
 * closing are shared).
 */
interface StreamHandler {

    /**
     * Bytes of heap a connection holds while it is open (its read and reply buffers), charged to the memory
     * budget when it is accepted; anything more it needs it must reserve from the budget itself.
     */
    int connectionBytes();

    /**
     * @param connection reads wait at most as long as asked, so a handler can answer earlier input while later
     *                   input is still arriving; not reading is how backpressure reaches the client
     * @throws TcpConnection.Closed when the client broke the idle or rate rule
     */
    void serve(TcpConnection connection) throws IOException, InterruptedException;
}
