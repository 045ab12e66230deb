package io.mlobj.arrow;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Base of {@link ShardEncoder}s: counts the rows written and turns the I/O failures of encoding,
 * sizing and finishing into {@link UncheckedIOException}s that say which step failed on which kind
 * of shard. A subclass encodes, sizes and completes its format.
 *
 * <p>Stable API: a helper for {@link io.mlobj.ShardCodec} implementations.
 */
public abstract class AbstractShardEncoder implements ShardEncoder {
  private final String what;
  private long rows;

  /**
   * @param what the shard's kind for error messages, e.g. {@code "a Parquet shard"}
   */
  protected AbstractShardEncoder(String what) {
    this.what = what;
  }

  /** Appends the rows of a batch to the file. */
  protected abstract void encode(VectorSchemaRoot batch) throws IOException;

  /** The size of the file so far, including what is buffered. */
  protected abstract long bytesSoFar() throws IOException;

  /** Completes the file. */
  protected abstract Encoded complete() throws IOException;

  @Override
  public final void write(VectorSchemaRoot batch) {
    try {
      encode(batch);
    } catch (IOException e) {
      throw failed("encode", e);
    }
    rows += batch.getRowCount();
  }

  @Override
  public final long estimatedBytes() {
    try {
      return bytesSoFar();
    } catch (IOException e) {
      throw failed("size", e);
    }
  }

  @Override
  public final long rows() {
    return rows;
  }

  @Override
  public final Encoded finish() {
    try {
      return complete();
    } catch (IOException e) {
      throw failed("finish", e);
    }
  }

  /** The error for a step ({@code "start"}, {@code "encode"}, ...) of this shard that failed. */
  protected final UncheckedIOException failed(String step, IOException e) {
    return failed(step, what, e);
  }

  /** The error for a step of a shard of the given kind that failed, e.g. while constructing. */
  protected static UncheckedIOException failed(String step, String what, IOException e) {
    return new UncheckedIOException("Cannot " + step + " " + what, e);
  }
}
