package dev.riffle.ingest;

import dev.riffle.core.Event;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A line protocol over TCP: one record per line, no reply. A bad line is counted and the connection goes on;
 * a line longer than the bound is counted and skipped up to its end, never buffered whole. Events of the lines
 * that have arrived together are handed on together, before the next wait for input.
 */
final class LineStream implements StreamHandler {
    private static final int MAX_GATHERED = 1_000;

    private final LineDecoder lines;
    private final int maxLine;
    private final Intake intake;
    private final IngestCounters counters;

    LineStream(LineDecoder lines, int maxLine, Intake intake, IngestCounters counters) {
        this.lines = lines;
        this.maxLine = maxLine;
        this.intake = intake;
        this.counters = counters;
    }

    @Override
    public void serve(InputStream in, OutputStream out, String client, ArrivalClock.Lane lane)
            throws IOException, InterruptedException {
        byte[] line = new byte[Math.min(maxLine, 8 * 1024)];
        int length = 0;
        boolean skipping = false; // inside a line that was too long
        List<Event> events = new ArrayList<>();
        byte[] chunk = new byte[16 * 1024];
        long firstReceived = 0; // of the events gathered so far
        while (true) {
            if (events.size() >= MAX_GATHERED || (!events.isEmpty() && in.available() == 0)) {
                intake.put(events, firstReceived);
                events = new ArrayList<>();
            }
            if (events.isEmpty()) {
                lane.published(); // and lines refused or not yet complete hold nothing back
            }
            if (in.available() == 0) {
                lane.drained();
            }
            int n = in.read(chunk);
            if (n < 0) {
                break;
            }
            long received = lane.arrive();
            if (events.isEmpty()) {
                firstReceived = received;
            }
            for (int i = 0; i < n; i++) {
                byte b = chunk[i];
                if (b == '\n') {
                    if (!skipping) {
                        DatagramLines.decodeOne(lines, counters, line, 0,
                                DatagramLines.trimCarriageReturn(line, 0, length), received, events);
                    }
                    length = 0;
                    skipping = false;
                } else if (!skipping) {
                    if (length == maxLine) {
                        counters.reject(IngestCounters.Reason.OVERSIZED_LINE, "line over " + maxLine + " bytes from "
                                + client);
                        skipping = true;
                        length = 0;
                        continue;
                    }
                    if (length == line.length) {
                        line = Arrays.copyOf(line, Math.min(maxLine, line.length * 2));
                    }
                    line[length++] = b;
                }
            }
        }
        if (!skipping && length > 0) {
            // the last line may come without a line end
            long received = lane.arrive();
            if (events.isEmpty()) {
                firstReceived = received;
            }
            DatagramLines.decodeOne(lines, counters, line, 0, DatagramLines.trimCarriageReturn(line, 0, length),
                    received, events);
        }
        intake.put(events, firstReceived);
        lane.published();
    }
}
