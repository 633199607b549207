package dev.riffle.topology;

import static dev.riffle.topology.Harness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The open windows are saved at each commit, through Kafka Streams' cache flush, and load back whole. */
class JournalTest {

    static List<String> keys(JournalStore store) {
        List<String> keys = new ArrayList<>();
        store.forEach((k, v) -> keys.add(String.valueOf((char) k[0])));
        return keys;
    }

    @Test
    void kafkaStreamsCallsTheSaveAtEveryCommit() {
        try (Harness h = new Harness()) {
            JournalStore store = (JournalStore) h.driver.getStateStore(HostWindows.STORE);
            assertEquals(List.of(), keys(store), "nothing before the first record");
            h.send(T0, "box1", "foo", null, "meter"); // TopologyTestDriver commits after each record
            assertEquals(List.of("M", "W"), keys(store));
            h.send(T0 + 6_000, "box1", "foo", null, "meter"); // closes the first window: its chunk goes
            assertTrue(keys(store).contains("F"), "the fill-in table is saved: " + keys(store));
            assertEquals(1, keys(store).stream().filter("W"::equals).count(), keys(store).toString());
        }
    }

    @Test
    void aSavedBookLoadsBackWithTheSameAggregates() {
        try (Harness h = new Harness()) {
            for (int i = 0; i < 50; i++) {
                h.send(T0 + i, "box" + (i % 3), "lat", (double) i, "production", "histogram");
                h.send(T0 + i, "box" + (i % 3), "req", null, "production", "meter");
            }
            JournalStore store = (JournalStore) h.driver.getStateStore(HostWindows.STORE);
            WindowBook book = new WindowBook(5_000);
            new Journal(store).load(book);
            Window w = book.windows().iterator().next();
            assertEquals(T0, w.start);
            assertEquals(2 * 3 + 1, w.aggregates.size(), "6 series and the events-processed self metric");
            Aggregate lat = w.aggregates.get(new Series("box0.production", "lat", Kind.HISTOGRAM,
                    "all-hosts.production"));
            assertEquals(17, lat.values.count());
            assertEquals(48.0, lat.values.valueAt(1.0));
            Aggregate req = w.aggregates.get(new Series("box1.production", "req", Kind.METER, "all-hosts.production"));
            assertEquals(17.0, req.sum); // box1 gets i = 1, 4, ..., 49
        }
    }

    /** State saved by the Riffle before ticks (format 0: kinds by position, lower-case keys) loads and is rewritten. */
    @Test
    void stateOfTheFormatBeforeVersionsIsReadAndRewritten() throws Exception {
        try (Harness h = new Harness()) {
            JournalStore store = (JournalStore) h.driver.getStateStore(HostWindows.STORE);
            java.io.ByteArrayOutputStream chunk = new java.io.ByteArrayOutputStream();
            java.io.DataOutputStream out = new java.io.DataOutputStream(chunk);
            out.writeInt(1); // one aggregate: series (host, service, kind ordinal 2 = meter, fleet host), fields
            out.writeBoolean(true);
            out.writeUTF("box1");
            out.writeUTF("req");
            out.writeByte(2);
            out.writeBoolean(false);
            out.writeLong(3); // count
            out.writeDouble(7.0); // sum
            out.writeLong(T0 + 10); // last time
            out.writeDouble(0.0);
            out.writeLong(T0 + 60_010); // expiry
            store.put(java.nio.ByteBuffer.allocate(13).put((byte) 'w').putLong(T0).putInt(0).array(),
                    chunk.toByteArray());
            store.put(new byte[] {'m'}, java.nio.ByteBuffer.allocate(28).putInt(1).putInt(0).putLong(Long.MIN_VALUE)
                    .putInt(8).putLong(T0 + 10).array());

            WindowBook book = new WindowBook(5_000);
            Journal journal = new Journal(store);
            Journal.Clocks clocks = journal.load(book);
            assertEquals(0, clocks.format());
            Aggregate req = book.windows().iterator().next().aggregates.get(new Series("box1", "req", Kind.METER,
                    null));
            assertEquals(7.0, req.sum);
            journal.save(book, new byte[] {1});
            assertEquals(List.of("M", "W"), keys(store), "rewritten in the current format, the old keys gone");
            WindowBook again = new WindowBook(5_000);
            new Journal(store).load(again);
            assertEquals(7.0, again.windows().iterator().next().aggregates.values().iterator().next().sum);
        }
    }

    @Test
    void stateOfAFormatFromTheFutureIsRefusedWithWhatToDo() {
        try (Harness h = new Harness()) {
            JournalStore store = (JournalStore) h.driver.getStateStore(HostWindows.STORE);
            store.put(new byte[] {'M'}, new byte[] {9, 0, 0, 0});
            IncompatibleStateException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IncompatibleStateException.class, () -> new Journal(store).load(new WindowBook(5_000)));
            assertTrue(e.getMessage().contains("format 9") && e.getMessage().contains("application-reset"),
                    e.getMessage());
        }
    }
}
