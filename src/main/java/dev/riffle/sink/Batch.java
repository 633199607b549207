package dev.riffle.sink;

import java.nio.ByteBuffer;

/** Carbon lines gathered for one write: one fixed-size buffer per endpoint (the memory bound of carbon's output). */
final class Batch {
    private final ByteBuffer[] buffers;
    private final int capacity;
    private int lines;

    Batch(int endpoints, int capacity) {
        this.capacity = capacity;
        buffers = new ByteBuffer[endpoints];
        for (int i = 0; i < endpoints; i++) {
            buffers[i] = ByteBuffer.allocate(capacity);
        }
    }

    /**
     * False when the line does not fit any more: write the batch, then add it again.
     *
     * @param route the endpoint, or -1 for every endpoint
     */
    boolean add(byte[] line, int route) {
        if (route >= 0 ? buffers[route].remaining() < line.length : !fitsEverywhere(line.length)) {
            return false;
        }
        if (route >= 0) {
            buffers[route].put(line);
        } else {
            for (ByteBuffer b : buffers) {
                b.put(line);
            }
        }
        lines++;
        return true;
    }

    private boolean fitsEverywhere(int length) {
        for (ByteBuffer b : buffers) {
            if (b.remaining() < length) {
                return false;
            }
        }
        return true;
    }

    boolean isEmpty() {
        return lines == 0;
    }

    int bufferedBytes() {
        int n = 0;
        for (ByteBuffer b : buffers) {
            n += b.position();
        }
        return n;
    }

    /** The buffers flipped for writing. */
    ByteBuffer[] readyToWrite() {
        for (ByteBuffer b : buffers) {
            b.flip();
        }
        return buffers;
    }

    void clear() {
        for (ByteBuffer b : buffers) {
            b.clear();
        }
        lines = 0;
    }
}
