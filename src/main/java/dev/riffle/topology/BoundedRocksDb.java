package dev.riffle.topology;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * One memory bound for every window journal of this JVM: the journals ({@link JournalStore}) are RocksDB stores, off
 * the Java heap, and RocksDB's memory (memtables, block cache, index and filter blocks) is charged to one cache of
 * {@code topology.rocksdb_memory_mb}, shared by all tasks' stores, instead of Kafka Streams' defaults per store
 * (about 50 MiB of memtables and 50 MiB of cache each, for 12 and more stores).
 *
 * <p>The journal is written once per commit and read only when a task restores, so a small cache costs nothing
 * while running. The cache is made by the first store configured (the size comes from that stream application's
 * config, {@link #MEMORY_BYTES_CONFIG}) and is never closed: it lives as long as the JVM.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {
    /** the stream application's config entry that carries the bound (bytes) */
    static final String MEMORY_BYTES_CONFIG = "riffle.rocksdb.memory.bytes";
    private static final long DEFAULT_BYTES = 64L * 1024 * 1024;

    private static Cache cache;
    private static WriteBufferManager writeBuffers;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object bytes = configs.get(MEMORY_BYTES_CONFIG);
        long limit = bytes == null ? DEFAULT_BYTES : Long.parseLong(bytes.toString());
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        synchronized (BoundedRocksDb.class) {
            if (cache == null) {
                cache = new LRUCache(limit, -1, false, 0.1);
                // memtables count against the same cache: half of it at most
                writeBuffers = new WriteBufferManager(limit / 2, cache);
            }
            table.setBlockCache(cache);
            options.setWriteBufferManager(writeBuffers);
        }
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferSize(Math.min(limit / 8, 8L * 1024 * 1024));
        options.setMaxWriteBufferNumber(2);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the write buffer manager are shared by every store of the JVM: never closed here
    }
}
