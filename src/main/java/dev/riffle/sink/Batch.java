package dev.riffle.sink;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Lines gathered for one write: one fixed-size buffer per endpoint (the memory bound of the sink's output), and
 * the offsets the batch covers, which become committable once the write is confirmed.
 */
final class Batch {
    private final ByteBuffer[] buffers;
    private final int capacity;
    private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
    private int points;
    private int lines;
    private long firstAddNanos;

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
     * @param point false for the sink's own metrics, which are not counted as points written
     */
    boolean add(byte[] line, int route, boolean point) {
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
        if (isEmpty()) {
            firstAddNanos = System.nanoTime();
        }
        lines++;
        points += point ? 1 : 0;
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

    /** Records that the batch covers a record: committing it means resuming after that offset. */
    void covers(TopicPartition tp, long offset) {
        if (isEmpty()) {
            firstAddNanos = System.nanoTime();
        }
        nextOffsets.put(tp, offset + 1);
    }

    boolean isEmpty() {
        return lines == 0 && nextOffsets.isEmpty();
    }

    /** True once the oldest line has waited the flush interval. */
    boolean due(long flushNanos) {
        return !isEmpty() && System.nanoTime() - firstAddNanos >= flushNanos;
    }

    long nanosUntilDue(long flushNanos) {
        return isEmpty() ? Long.MAX_VALUE : Math.max(0, firstAddNanos + flushNanos - System.nanoTime());
    }

    int points() {
        return points;
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

    Map<TopicPartition, Long> nextOffsets() {
        return nextOffsets;
    }

    void clear() {
        for (ByteBuffer b : buffers) {
            b.clear();
        }
        nextOffsets.clear();
        points = 0;
        lines = 0;
    }
}
