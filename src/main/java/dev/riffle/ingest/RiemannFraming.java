package dev.riffle.ingest;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Riemann protobuf over TCP: each Msg framed by a 4-byte big-endian length; each answered, in order, with a
 * framed Msg{ok=true} once its events are with the Kafka producer, or Msg{ok=false, error} when refused.
 * Pipelined messages are answered in order and their replies share one flush.
 */
final class RiemannFraming implements StreamHandler {
    private static final byte[] OK = RiemannDecoder.reply(true, null);

    private final RiemannDecoder decoder;
    private final Intake intake;
    private final IngestCounters counters;
    private final int maxFrame;

    RiemannFraming(RiemannDecoder decoder, int maxFrame, Intake intake, IngestCounters counters) {
        this.decoder = decoder;
        this.maxFrame = maxFrame;
        this.intake = intake;
        this.counters = counters;
    }

    @Override
    public void serve(InputStream input, OutputStream out, String client, ArrivalClock.Lane lane)
            throws IOException, InterruptedException {
        DataInputStream in = new DataInputStream(input);
        byte[] buf = new byte[4096];
        while (true) {
            int length;
            try {
                if (in.available() == 0) {
                    lane.drained();
                }
                length = in.readInt();
            } catch (EOFException closed) {
                break; // also a half-closed client: its replies are flushed on the way out
            }
            if (length < 0 || length > maxFrame) {
                // the stream cannot be resynchronised after a bad length: answer, then hang up
                counters.reject(IngestCounters.Reason.OVERSIZED_MESSAGE, "TCP frame of " + (length & 0xFFFFFFFFL)
                        + " bytes from " + client);
                writeFrame(out, RiemannDecoder.reply(false, "message of " + (length & 0xFFFFFFFFL)
                        + " bytes is over the limit of " + maxFrame));
                break;
            }
            if (buf.length < length) {
                buf = new byte[Math.max(length, Math.min(maxFrame, buf.length * 2))];
            }
            try {
                in.readFully(buf, 0, length);
            } catch (EOFException truncated) {
                counters.reject(IngestCounters.Reason.TRUNCATED_FRAME, "TCP stream from " + client
                        + " ended inside a frame");
                break;
            }
            long received = lane.arrive();
            try {
                writeFrame(out, handle(buf, length, client, received));
            } finally {
                lane.published();
            }
            if (in.available() == 0) {
                out.flush(); // pipelined messages share one flush
            }
        }
        out.flush();
    }

    private byte[] handle(byte[] buf, int length, String client, long received) throws InterruptedException {
        RiemannDecoder.Decoded msg;
        try {
            msg = decoder.decode(buf, 0, length, received);
        } catch (MalformedInputException e) {
            counters.reject(e.reason(), "TCP message from " + client + ": " + e.getMessage());
            return RiemannDecoder.reply(false, "malformed message: " + e.getMessage());
        }
        if (msg.query()) {
            counters.reject(IngestCounters.Reason.QUERY, "query over TCP from " + client);
            return RiemannDecoder.reply(false, "queries are not supported");
        }
        try {
            intake.put(msg.events(), received);
            return OK;
        } catch (IllegalStateException e) {
            return RiemannDecoder.reply(false, "cannot publish: " + e.getMessage());
        }
    }

    private static void writeFrame(OutputStream out, byte[] msg) throws IOException {
        out.write(msg.length >>> 24);
        out.write(msg.length >>> 16);
        out.write(msg.length >>> 8);
        out.write(msg.length);
        out.write(msg);
    }
}
