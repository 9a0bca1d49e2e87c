package dev.incidentengine.service;

import java.util.Map;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Caps the native memory of every RocksDB store in the JVM: all stores of all Streams apps share
 * one block cache, and their memtables count against it (Kafka Streams' documented recipe). By
 * default each store instance would take its own cache and memtables, and a JVM with dozens of
 * task stores grows its RSS by hundreds of MiB.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

    // Memtables need room: at 16 MiB for some forty task stores, RocksDB flushed and compacted tiny
    // files all the time and took more CPU than the stream thread (bench/incidents).
    private static final long TOTAL_BYTES = 192L * 1024 * 1024;
    private static final long MEMTABLE_BYTES = 128L * 1024 * 1024;
    private static final long MEMTABLE_SIZE = 8L * 1024 * 1024;
    private static final double INDEX_AND_FILTER_SHARE = 0.1;

    private static final Cache CACHE = new LRUCache(TOTAL_BYTES, -1, false, INDEX_AND_FILTER_SHARE);
    private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(MEMTABLE_BYTES, CACHE);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(WRITE_BUFFERS);
        options.setWriteBufferSize(MEMTABLE_SIZE);
        options.setMaxWriteBufferNumber(2);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store: they live as long as the JVM.
    }
}
