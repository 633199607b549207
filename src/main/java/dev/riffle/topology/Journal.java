package dev.riffle.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * Saves a {@link WindowBook} into its {@link JournalStore} at each commit, and loads it back after a restore.
 *
 * <p>The cost of a changelog is per record, so what changed is written in chunks of many aggregates: one
 * chunk (or a few, for a large one) per window that changed, holding the whole aggregate of every series that
 * changed since the last save. A later chunk of a window overrides an earlier one for the same series; a window's
 * chunks are deleted when it is dropped. The fill-in table is rewritten when it changes (at a window close), and
 * one meta record holds the clocks. Keys: {@code m}; {@code f}+part; {@code w}+window start+sequence.
 */
final class Journal {
    private static final int CHUNK_BYTES = 256 * 1024; // well below the 1 MB default record limit

    private final JournalStore store;
    private int sequence;
    private int fillParts;
    private byte[] lastMeta;

    Journal(JournalStore store) {
        this.store = store;
    }

    /** Writes what changed in {@code book} since the last save, and {@code extra} (the owner's clocks). */
    void save(WindowBook book, byte[] extra) {
        for (Window w : book.dropped) {
            for (int seq : w.savedChunks) {
                store.delete(windowKey(w.start, seq));
            }
        }
        book.dropped.clear();
        for (Window w : book.windows.values()) {
            if (!w.dirty.isEmpty()) {
                saveWindow(w);
            }
        }
        if (book.fillsDirty) {
            saveFills(book.fills);
            book.fillsDirty = false;
        }
        byte[] meta = meta(book, extra);
        if (!Arrays.equals(meta, lastMeta)) {
            store.put(new byte[] {'m'}, meta);
            lastMeta = meta;
        }
    }

    private void saveWindow(Window w) {
        Chunker chunks = new Chunker(bytes -> {
            int seq = sequence++;
            w.savedChunks.add(seq);
            store.put(windowKey(w.start, seq), bytes);
        });
        for (Aggregate a : w.dirty) {
            a.dirty = false;
            chunks.add(out -> a.write(out));
        }
        chunks.finish();
        w.dirty.clear();
    }

    private void saveFills(Map<Series, long[]> fills) {
        int[] parts = {0};
        Chunker chunks = new Chunker(bytes -> store.put(fillKey(parts[0]++), bytes));
        for (Map.Entry<Series, long[]> e : fills.entrySet()) {
            chunks.add(out -> {
                Aggregate.writeSeries(out, e.getKey());
                out.writeLong(e.getValue()[0]);
                out.writeLong(e.getValue()[1]);
            });
        }
        chunks.finish();
        for (int p = parts[0]; p < fillParts; p++) {
            store.delete(fillKey(p));
        }
        fillParts = parts[0];
    }

    private byte[] meta(WindowBook book, byte[] extra) {
        ByteBuffer b = ByteBuffer.allocate(20 + extra.length);
        b.putInt(sequence).putInt(fillParts).putLong(book.nextClose).putInt(extra.length).put(extra);
        return b.array();
    }

    /** Rebuilds {@code book} from the store; returns the owner's saved clocks, or null when nothing was saved. */
    byte[] load(WindowBook book) {
        byte[][] extra = {null};
        store.forEach((key, value) -> {
            try {
                switch (key[0]) {
                    case 'm' -> {
                        ByteBuffer b = ByteBuffer.wrap(value);
                        sequence = b.getInt();
                        fillParts = b.getInt();
                        book.nextClose = b.getLong();
                        extra[0] = new byte[b.getInt()];
                        b.get(extra[0]);
                        lastMeta = value;
                    }
                    case 'f' -> readEntries(value, in -> book.fills.put(Aggregate.readSeries(in),
                            new long[] {in.readLong(), in.readLong()}));
                    case 'w' -> {
                        ByteBuffer k = ByteBuffer.wrap(key, 1, 12);
                        Window w = book.window(k.getLong());
                        w.savedChunks.add(k.getInt());
                        readEntries(value, in -> {
                            Aggregate a = Aggregate.read(in);
                            w.aggregates.put(a.series, a);
                        });
                    }
                    default -> throw new IllegalStateException("unknown journal key " + (char) key[0]);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("corrupt journal entry " + (char) key[0], e);
            }
        });
        return extra[0];
    }

    private static byte[] windowKey(long start, int seq) {
        // big-endian and non-negative: the store's key order is window order, then save order
        return ByteBuffer.allocate(13).put((byte) 'w').putLong(start).putInt(seq).array();
    }

    private static byte[] fillKey(int part) {
        return ByteBuffer.allocate(5).put((byte) 'f').putInt(part).array();
    }

    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    interface Reader {
        void read(DataInputStream in) throws IOException;
    }

    private static void readEntries(byte[] value, Reader reader) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            reader.read(in);
        }
    }

    /** Packs entries into values of at most about {@link #CHUNK_BYTES}: a count, then the entries. */
    private static final class Chunker {
        private final java.util.function.Consumer<byte[]> sink;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        private final DataOutputStream out = new DataOutputStream(bytes);
        private int entries;

        Chunker(java.util.function.Consumer<byte[]> sink) {
            this.sink = sink;
            reset();
        }

        void add(Writer entry) {
            try {
                entry.write(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            entries++;
            if (bytes.size() >= CHUNK_BYTES) {
                finish();
            }
        }

        void finish() {
            if (entries == 0) {
                return;
            }
            byte[] value = bytes.toByteArray();
            ByteBuffer.wrap(value).putInt(entries);
            sink.accept(value);
            reset();
        }

        private void reset() {
            bytes.reset();
            entries = 0;
            try {
                out.writeInt(0); // the count, filled in by finish()
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

}
