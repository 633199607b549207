package dev.riffle.topology;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A changelogged store that asks its owner to save, right before every commit. It is a RocksDB store, so the
 * serialized copy of the open windows lives off the Java heap (bounded by {@link BoundedRocksDb}); at 150,000 series it
 * was a third of the heap as an in-memory store.
 *
 * <p>The open windows live in plain Java objects; writing each event's change to a store would cost a
 * changelog record per event. Kafka Streams flushes every cached store just before it commits a task (and,
 * under exactly-once, before the transaction that carries the input offsets, the output and the changelog
 * records commits). This store takes part in that flush like Kafka's own record cache does: its owner writes
 * what changed since the last save, so the changelog always matches the committed input offsets. If the
 * instance dies between commits, the transaction is aborted: offsets, points and changelog all fall back to the
 * last commit together, and the restored state resumes from exactly there.
 *
 * <p>{@link CachedStateStore} is Kafka Streams' internal interface for this flush; it is the one internal type
 * Riffle relies on, and {@code JournalTest} fails if a Kafka upgrade stops calling it at commit.
 */
final class JournalStore implements StateStore, CachedStateStore<byte[], byte[]> {
    private final KeyValueStore<Bytes, byte[]> inner;
    private Runnable beforeCommit = () -> { };

    private JournalStore(KeyValueStore<Bytes, byte[]> inner) {
        this.inner = inner;
    }

    static StoreBuilder<JournalStore> builder(String name) {
        return new Builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.Bytes(),
                Serdes.ByteArray()).withCachingDisabled());
    }

    /** Called right before each commit of the task (and from nothing else). */
    void beforeCommit(Runnable save) {
        this.beforeCommit = save;
    }

    void put(byte[] key, byte[] value) {
        inner.put(Bytes.wrap(key), value);
    }

    void delete(byte[] key) {
        inner.delete(Bytes.wrap(key));
    }

    @Override
    public void flushCache() {
        beforeCommit.run();
    }

    @Override
    public void clearCache() {
        // nothing is held here: the owner's unsaved changes die with the task on a dirty close
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<byte[], byte[]> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        inner.init(context, root);
    }

    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        inner.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        inner.commit(changelogOffsets);
    }

    @Override
    public void close() {
        beforeCommit = () -> { };
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    /** Loads every saved entry, in key order. */
    void forEach(java.util.function.BiConsumer<byte[], byte[]> entry) {
        try (KeyValueIterator<Bytes, byte[]> it = inner.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                entry.accept(kv.key.get(), kv.value);
            }
        }
    }

    private record Builder(StoreBuilder<KeyValueStore<Bytes, byte[]>> inner) implements StoreBuilder<JournalStore> {
        @Override
        public StoreBuilder<JournalStore> withCachingEnabled() {
            throw new UnsupportedOperationException("the journal is its own cache");
        }

        @Override
        public StoreBuilder<JournalStore> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<JournalStore> withLoggingEnabled(Map<String, String> config) {
            return new Builder(inner.withLoggingEnabled(config));
        }

        @Override
        public StoreBuilder<JournalStore> withLoggingDisabled() {
            throw new UnsupportedOperationException("the journal exists to be changelogged");
        }

        @Override
        public JournalStore build() {
            return new JournalStore(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
