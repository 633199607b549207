package dev.riffle.ingest;

import java.nio.ByteBuffer;

/**
 * Datagrams received back to back, packed into one reusable array: the unit the receive thread hands to the
 * decoding thread, so that the hand-over costs one queue operation per burst rather than per datagram.
 */
final class DatagramChunk {
    private static final int MAX_DATAGRAMS = 1024;

    final byte[] data;
    private final int[] ends = new int[MAX_DATAGRAMS];
    private final ByteBuffer buffer;
    private int count;
    /** When the first datagram arrived, in microseconds since the epoch: the receive time of the chunk. */
    private long receiveMicros;

    DatagramChunk(int bytes) {
        this.data = new byte[bytes];
        this.buffer = ByteBuffer.wrap(data);
    }

    /** Room for the next datagram, at least {@code atLeast} bytes, or null when the chunk is full. */
    ByteBuffer space(int atLeast) {
        int used = used();
        if (count == MAX_DATAGRAMS || data.length - used < atLeast) {
            return null;
        }
        buffer.limit(data.length).position(used);
        return buffer;
    }

    /** Keeps the datagram just received into {@link #space}. */
    void commit(int length, long nowMicros) {
        if (count == 0) {
            receiveMicros = nowMicros;
        }
        ends[count] = used() + length;
        count++;
    }

    int count() {
        return count;
    }

    long receiveMicros() {
        return receiveMicros;
    }

    int used() {
        return count == 0 ? 0 : ends[count - 1];
    }

    int start(int i) {
        return i == 0 ? 0 : ends[i - 1];
    }

    int length(int i) {
        return ends[i] - start(i);
    }

    void clear() {
        count = 0;
    }
}
