package dev.riffle.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Saves a {@link WindowBook} into its {@link JournalStore} at each commit, and loads it back after a restore. It
 * owns its change set: the book reports every change, and a save writes only those.
 *
 * <p>The cost of a changelog is per record, so what changed is written in chunks of many aggregates: one
 * chunk (or a few, for a large one) per window that changed, holding the whole aggregate of every series that
 * changed since the last save. A later chunk of a window overrides an earlier one for the same series; a window's
 * chunks are deleted when it is dropped. The fill-in table is rewritten when it changes (at a window close), and
 * one meta record holds the format version, the book's position and the owner's clocks.
 *
 * <p>Format {@value #FORMAT}, keys: {@code M} (meta: format byte, sequence, fill parts, next close, the closing
 * position: target, window, part, position; owner's clocks); {@code F}+part; {@code W}+window start+sequence;
 * kinds by their stable code. Format 1 (no closing position: windows closed in one go) is read, and the meta
 * rewritten at the next commit. Format 0 (Riffle before ticks: keys {@code m}, {@code f}, {@code w}, kinds by
 * position, no format byte) is read and rewritten in the current format at the next commit.
 */
final class Journal implements WindowBook.Changes {
    static final int FORMAT = 2;
    private static final int CHUNK_BYTES = 256 * 1024; // well below the 1 MB default record limit

    private final JournalStore store;
    /** windows with unsaved aggregates, and those aggregates */
    private final Map<Window, List<Aggregate>> unsaved = new LinkedHashMap<>();
    /** sequence numbers of each window's saved chunks, deleted when the window is dropped */
    private final Map<Long, List<Integer>> savedChunks = new HashMap<>();
    private final List<byte[]> staleKeys = new ArrayList<>();
    private boolean fillsChanged;
    private int sequence;
    private int fillParts;
    private byte[] lastMeta;

    Journal(JournalStore store) {
        this.store = store;
    }

    @Override
    public void changed(Window window, Aggregate aggregate) {
        if (!aggregate.unsaved) {
            aggregate.unsaved = true;
            unsaved.computeIfAbsent(window, w -> new ArrayList<>()).add(aggregate);
        }
    }

    @Override
    public void dropped(Window window) {
        unsaved.remove(window);
        List<Integer> chunks = savedChunks.remove(window.start);
        if (chunks != null) {
            for (int seq : chunks) {
                staleKeys.add(windowKey(window.start, seq));
            }
        }
    }

    @Override
    public void fillsChanged() {
        fillsChanged = true;
    }

    /** Writes what changed in {@code book} since the last save, and {@code clocks} (the owner's). */
    void save(WindowBook book, byte[] clocks) {
        for (byte[] key : staleKeys) {
            store.delete(key);
        }
        staleKeys.clear();
        unsaved.forEach(this::saveWindow);
        unsaved.clear();
        if (fillsChanged) {
            saveFills(book.fills());
            fillsChanged = false;
        }
        byte[] meta = meta(book, clocks);
        if (!Arrays.equals(meta, lastMeta)) {
            store.put(new byte[] {'M'}, meta);
            lastMeta = meta;
        }
    }

    private void saveWindow(Window w, List<Aggregate> changed) {
        Chunker chunks = new Chunker(bytes -> {
            int seq = sequence++;
            savedChunks.computeIfAbsent(w.start, s -> new ArrayList<>(2)).add(seq);
            store.put(windowKey(w.start, seq), bytes);
        });
        for (Aggregate a : changed) {
            a.unsaved = false;
            chunks.add(a::write);
        }
        chunks.finish();
    }

    private void saveFills(List<Map.Entry<Series, long[]>> fills) {
        int[] parts = {0};
        Chunker chunks = new Chunker(bytes -> store.put(fillKey(parts[0]++), bytes));
        for (Map.Entry<Series, long[]> e : fills) {
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

    private byte[] meta(WindowBook book, byte[] clocks) {
        long[] closing = book.closingState();
        ByteBuffer b = ByteBuffer.allocate(42 + clocks.length);
        b.put((byte) FORMAT).putInt(sequence).putInt(fillParts).putLong(book.nextClose())
                .putLong(closing[0]).putLong(closing[1]).put((byte) closing[2]).putInt((int) closing[3])
                .putInt(clocks.length).put(clocks);
        return b.array();
    }

    /** The owner's clocks as saved, and the format they were saved in. */
    record Clocks(int format, byte[] bytes) {
    }

    /**
     * Rebuilds {@code book} from the store and starts tracking its changes; returns the owner's saved clocks,
     * or null when nothing was saved. State of an older format is read and rewritten at the next save.
     *
     * @throws IncompatibleStateException for a format this version does not know (written by a newer Riffle)
     */
    Clocks load(WindowBook book) {
        Clocks[] clocks = {null};
        boolean[] legacy = {false};
        store.forEach((key, value) -> {
            try {
                switch (key[0]) {
                    case 'M' -> {
                        ByteBuffer b = ByteBuffer.wrap(value);
                        int format = b.get();
                        if (format != FORMAT && format != 1) {
                            throw new IncompatibleStateException(store.name(), "format " + format);
                        }
                        sequence = b.getInt();
                        fillParts = b.getInt();
                        book.restoreNextClose(b.getLong());
                        if (format >= 2) { // format 1 had no closing in slices: nothing was half closed
                            book.restoreClosing(b.getLong(), b.getLong(), b.get(), b.getInt());
                        }
                        clocks[0] = new Clocks(FORMAT, bytes(b));
                        lastMeta = format == FORMAT ? value : null;
                    }
                    case 'F' -> readEntries(value, in -> book.restoreFill(Aggregate.readSeries(in, false),
                            in.readLong(), in.readLong()));
                    case 'W' -> {
                        ByteBuffer k = ByteBuffer.wrap(key, 1, 12);
                        Window w = book.restoreWindow(k.getLong());
                        savedChunks.computeIfAbsent(w.start, s -> new ArrayList<>(2)).add(k.getInt());
                        readEntries(value, in -> {
                            Aggregate a = Aggregate.read(in, false);
                            w.aggregates.put(a.series, a);
                        });
                    }
                    case 'm' -> { // format 0
                        legacy[0] = true;
                        staleKeys.add(key);
                        ByteBuffer b = ByteBuffer.wrap(value);
                        b.getInt(); // sequence and fill parts of format 0's keys: all rewritten
                        b.getInt();
                        book.restoreNextClose(b.getLong());
                        clocks[0] = new Clocks(0, bytes(b));
                    }
                    case 'f' -> {
                        legacy[0] = true;
                        staleKeys.add(key);
                        readEntries(value, in -> book.restoreFill(Aggregate.readSeries(in, true), in.readLong(),
                                in.readLong()));
                    }
                    case 'w' -> {
                        legacy[0] = true;
                        staleKeys.add(key);
                        Window w = book.restoreWindow(ByteBuffer.wrap(key, 1, 8).getLong());
                        readEntries(value, in -> {
                            Aggregate a = Aggregate.read(in, true);
                            w.aggregates.put(a.series, a);
                        });
                    }
                    default -> throw new IncompatibleStateException(store.name(), "key '" + (char) key[0] + "'");
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof IncompatibleStateException i) {
                    throw i;
                }
                throw new IncompatibleStateException(store.name(), "a corrupt entry '" + (char) key[0] + "' (" + e
                        + ")");
            }
        });
        book.track(this);
        if (legacy[0]) { // rewrite everything in the current format at the next save
            for (Window w : book.windows()) {
                w.aggregates.values().forEach(a -> changed(w, a));
            }
            fillsChanged = true;
        }
        return clocks[0];
    }

    /** An owner's clocks as saved: a format byte, then what {@code body} writes. */
    static byte[] clocks(int format, Writer body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(format);
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads clocks that {@link #clocks} wrote in {@code format}; any other format is refused. */
    static void readClocks(Clocks clocks, String store, int format, Reader body) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(clocks.bytes()))) {
            int saved = in.readByte();
            if (saved != format) {
                throw new IncompatibleStateException(store, "clocks of format " + saved);
            }
            body.read(in);
        } catch (IOException e) {
            throw new IncompatibleStateException(store, "corrupt clocks (" + e + ")");
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.getInt()];
        b.get(out);
        return out;
    }

    private static byte[] windowKey(long start, int seq) {
        // big-endian and non-negative: the store's key order is window order, then save order
        return ByteBuffer.allocate(13).put((byte) 'W').putLong(start).putInt(seq).array();
    }

    private static byte[] fillKey(int part) {
        return ByteBuffer.allocate(5).put((byte) 'F').putInt(part).array();
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
        private final Consumer<byte[]> sink;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        private final DataOutputStream out = new DataOutputStream(bytes);
        private int entries;

        Chunker(Consumer<byte[]> sink) {
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
