package io.mlobj.arrow;

import io.mlobj.internal.arrow.ByteBufferOutputFile;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A {@link ShardEncoder} for shard formats written by one of Arrow's IPC writers (the file or the
 * stream format): each non-empty batch becomes one record batch, assembled in memory. A codec
 * supplies the writer, e.g. {@code (root, out) -> new ArrowStreamWriter(root, null, out)}.
 *
 * <p>Stable API: a helper for {@link io.mlobj.ShardCodec} implementations.
 */
public class ArrowIpcEncoder extends AbstractShardEncoder {
  /** Creates the IPC writer of a shard over the staging root and the shard's bytes. */
  @FunctionalInterface
  public interface WriterFactory {
    /** A writer (not yet started) of {@code staging}'s batches to {@code out}. */
    ArrowWriter create(VectorSchemaRoot staging, WritableByteChannel out);
  }

  private final ByteBufferOutputFile out;
  private final VectorSchemaRoot staging;
  private final ArrowWriter writer;
  private final List<Long> batchRows = new ArrayList<>();

  /**
   * Starts a shard.
   *
   * @param what the shard's kind for error messages, e.g. {@code "an Arrow IPC shard"}
   */
  public ArrowIpcEncoder(
      Schema schema,
      BufferAllocator allocator,
      int initialCapacity,
      WriterFactory writers,
      String what) {
    super(what);
    this.out = new ByteBufferOutputFile(initialCapacity);
    this.staging = VectorSchemaRoot.create(schema, allocator);
    try {
      this.writer = writers.create(staging, Channels.newChannel(out));
      writer.start();
    } catch (IOException | RuntimeException e) {
      staging.close();
      throw e instanceof IOException io ? failed("start", what, io) : (RuntimeException) e;
    }
  }

  @Override
  protected void encode(VectorSchemaRoot batch) throws IOException {
    if (batch.getRowCount() == 0) {
      return;
    }
    try (ArrowRecordBatch recordBatch = new VectorUnloader(batch).getRecordBatch()) {
      new VectorLoader(staging).load(recordBatch);
      writer.writeBatch();
      batchRows.add((long) batch.getRowCount());
    }
  }

  @Override
  protected long bytesSoFar() {
    return out.size();
  }

  @Override
  protected Encoded complete() throws IOException {
    writer.end();
    return new Encoded(out.toByteArray(), List.copyOf(batchRows));
  }

  @Override
  public void close() {
    writer.close();
    staging.close();
  }
}
