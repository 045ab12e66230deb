package io.mlobj.flink.sink;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.Shard;
import java.util.Collection;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;

/**
 * Buffers elements into Arrow batches, writes them as shards with the kernel's {@link
 * DatasetWriter} (which uploads a shard whenever it reaches the target size), and on every
 * checkpoint finishes the open shards and hands all shards written since the last checkpoint to the
 * committer. Nothing it writes is visible until the committer commits it.
 */
public final class MlobjSinkWriter<IN> implements CommittingSinkWriter<IN, WrittenShards> {
  private final WriteSettings settings;
  private final ArrowRowSerializer<IN> serializer;
  private final Dataset dataset;
  private final Schema schema;
  private final BufferAllocator allocator = new RootAllocator(Long.MAX_VALUE);
  private final Counter recordsOut;
  private VectorSchemaRoot batch;
  private int rows;
  private DatasetWriter writer;

  MlobjSinkWriter(WriteSettings settings, ArrowRowSerializer<IN> serializer, Counter recordsOut) {
    this.settings = settings;
    this.serializer = serializer;
    this.dataset = settings.dataset();
    this.schema = settings.schema();
    this.recordsOut = recordsOut;
    serializer.open(schema);
    newBatch();
  }

  private void newBatch() {
    batch = VectorSchemaRoot.create(schema, allocator);
    batch.allocateNew();
    rows = 0;
  }

  @Override
  public void write(IN element, Context context) {
    serializer.write(element, batch, rows++);
    recordsOut.inc();
    if (rows >= settings.batchRows()) {
      writeBatch();
    }
  }

  private void writeBatch() {
    if (rows == 0) {
      return;
    }
    batch.setRowCount(rows);
    if (writer == null) {
      writer = dataset.newWriter(schema).options(settings.writerOptions()).build(allocator);
    }
    writer.write(batch);
    batch.close();
    newBatch();
  }

  @Override
  public void flush(boolean endOfInput) {
    writeBatch();
  }

  @Override
  public Collection<WrittenShards> prepareCommit() {
    writeBatch();
    if (writer == null) {
      return List.of();
    }
    List<Shard> shards = writer.complete();
    long started = writer.startedMillis();
    writer.close();
    writer = null;
    return shards.isEmpty() ? List.of() : List.of(new WrittenShards(shards, started));
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.abort(); // shards not handed to the committer are never committed
      writer = null;
    }
    batch.close();
    allocator.close();
  }
}
