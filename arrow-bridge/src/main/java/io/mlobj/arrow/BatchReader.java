package io.mlobj.arrow;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Reads Arrow record batches one after another into a root it owns and reuses: the contents of
 * {@link #root()} are valid until the next call to {@link #next()}; transfer the vectors (e.g.
 * {@code TransferPair}) to keep them longer. Close the reader to free its memory.
 *
 * <p>Stable API.
 */
public interface BatchReader extends AutoCloseable {
  /** Loads the next batch; false at the end. */
  boolean next();

  /** The current batch. */
  VectorSchemaRoot root();

  @Override
  void close();
}
