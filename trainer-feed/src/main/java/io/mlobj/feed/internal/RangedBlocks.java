package io.mlobj.feed.internal;

import io.mlobj.Dataset;
import io.mlobj.ScanTask;
import io.mlobj.ShardCodecs;
import io.mlobj.arrow.BatchReader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Decodes one block of a shard with ranged reads ({@link Dataset#readBlock}), for formats whose
 * codec can: Arrow IPC (the file's footer, the index of its record batches, and that batch only)
 * and Parquet (the footer, kept per shard, and the wanted columns' chunks of that row group, each
 * page checked against its CRC). Used by {@code take}, which touches a few samples of many shards.
 */
final class RangedBlocks {
  private RangedBlocks() {}

  /** Whether the block can be read by range: its format's codec reads single blocks. */
  static boolean supports(ScanTask task) {
    return ShardCodecs.of(task.shard().format()).readsBlocksByRange();
  }

  /**
   * The decoded block, or null when the file lacks a wanted column (read it whole instead).
   *
   * @throws io.mlobj.MlobjException naming the dataset, version and object when it cannot be read
   */
  static Blocks.Decoded decode(
      Dataset dataset,
      long version,
      ScanTask task,
      Schema wanted,
      BufferAllocator allocator,
      FeedMetrics metrics) {
    BatchReader reader =
        dataset.readBlock(
            version,
            task,
            wanted,
            allocator,
            (bytes, nanos) -> {
              metrics.storageWaitNanos.addAndGet(nanos);
              metrics.storageBytes.addAndGet(bytes);
            });
    return reader == null ? null : new Blocks.Decoded(reader, reader.root());
  }
}
