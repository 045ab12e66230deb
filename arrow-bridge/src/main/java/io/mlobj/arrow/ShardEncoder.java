package io.mlobj.arrow;

import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Encodes Arrow batches into the bytes of one shard file, in memory. Not thread-safe. {@link
 * #close()} releases resources; after {@link #finish()} the encoder is spent.
 *
 * <p>Stable API.
 */
public interface ShardEncoder extends AutoCloseable {
  /** Appends all rows of a batch whose schema is the encoder's schema. */
  void write(VectorSchemaRoot batch);

  /** Estimated size of the file so far, for rolling to a new shard. */
  long estimatedBytes();

  /** Rows written so far. */
  long rows();

  /** Completes the file. */
  Encoded finish();

  @Override
  void close();

  /**
   * A finished shard file.
   *
   * @param bytes the file bytes
   * @param batchRows rows per Parquet row group or Arrow record batch
   */
  record Encoded(byte[] bytes, List<Long> batchRows) {}
}
