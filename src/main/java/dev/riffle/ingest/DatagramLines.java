package dev.riffle.ingest;

import dev.riffle.core.Event;
import java.util.List;

/** A line protocol over UDP: several lines per datagram; a bad line is counted and the others are kept. */
final class DatagramLines implements DatagramDecoder {
    private final LineDecoder lines;
    private final IngestCounters counters;

    DatagramLines(LineDecoder lines, IngestCounters counters) {
        this.lines = lines;
        this.counters = counters;
    }

    @Override
    public void decode(byte[] buf, int offset, int length, long receiveMicros, List<Event> into) {
        int end = offset + length;
        int start = offset;
        while (start < end) {
            int newline = start;
            while (newline < end && buf[newline] != '\n') {
                newline++;
            }
            decodeOne(lines, counters, buf, start, trimCarriageReturn(buf, start, newline), receiveMicros, into);
            start = newline + 1;
        }
    }

    /** The end of a line without a trailing {@code \r}, so CRLF senders are welcome too. */
    static int trimCarriageReturn(byte[] buf, int start, int end) {
        return end > start && buf[end - 1] == '\r' ? end - 1 : end;
    }

    /** Decodes one line (empty ones are skipped), counting a refusal without letting it escape. */
    static void decodeOne(LineDecoder lines, IngestCounters counters, byte[] buf, int start, int end,
                          long receiveMicros, List<Event> into) {
        if (end <= start) {
            return;
        }
        int before = into.size();
        try {
            lines.decodeLine(buf, start, end - start, receiveMicros, into);
        } catch (MalformedInputException e) {
            into.subList(before, into.size()).clear(); // a refused line gives no events, not some of them
            counters.reject(e.reason(), e.getMessage() + ": " + Utf8.preview(buf, start, end - start));
        }
    }
}
