package io.mlobj;

import java.io.Serializable;

/**
 * A unit of read work: a range of row groups (Parquet) or record batches (Arrow IPC) of one shard.
 * Serializable so engines can ship it to workers.
 *
 * @param shard the shard
 * @param firstBatch index of the first row group / record batch
 * @param batchCount number of row groups / record batches
 * @param rows rows in the range
 * @param firstRow index of the first row of the range within the shard
 *     <p>Stable API.
 */
public record ScanTask(Shard shard, int firstBatch, int batchCount, long rows, long firstRow)
    implements Serializable {

  /** A task covering a whole shard. */
  public static ScanTask whole(Shard shard) {
    return new ScanTask(shard, 0, -1, shard.rows(), 0);
  }

  /** Whether the task reads the whole shard. */
  public boolean isWholeShard() {
    return firstBatch == 0 && (batchCount < 0 || batchCount >= shard.batchRows().size());
  }
}
