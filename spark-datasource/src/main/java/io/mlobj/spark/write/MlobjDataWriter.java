package io.mlobj.spark.write;

import io.mlobj.DatasetWriter;
import io.mlobj.spark.Datasets;
import io.mlobj.spark.types.RowsToArrow;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * One task attempt's writer: buffers rows into Arrow batches and hands them to the kernel's {@link
 * DatasetWriter}, which rolls and uploads shards. {@link #commit()} returns the shards to the
 * driver; {@link #abort()} deletes what this attempt uploaded. Nothing is visible until the driver
 * commits a version.
 */
final class MlobjDataWriter implements DataWriter<InternalRow> {
  private final BufferAllocator allocator;
  private final RowsToArrow rows;
  private final DatasetWriter writer;
  private final int batchRows;

  /** A writer for one task attempt ({@code name}) of what {@code target} describes. */
  MlobjDataWriter(MlobjWriterFactory target, String name) {
    this.batchRows = target.batchRows();
    this.allocator = Datasets.allocator("mlobj-spark-write-" + name);
    try {
      Schema schema = target.schema();
      this.rows = new RowsToArrow(schema, target.sparkSchema(), allocator);
      this.writer = target.newWriter(schema, allocator);
    } catch (RuntimeException e) {
      allocator.close();
      throw e;
    }
  }

  @Override
  public void write(InternalRow row) {
    rows.append(row);
    if (rows.rows() >= batchRows) {
      flush();
    }
  }

  private void flush() {
    if (rows.rows() > 0) {
      writer.write(rows.root());
      rows.reset();
    }
  }

  @Override
  public WriterCommitMessage commit() {
    flush();
    return new ShardsMessage(writer.complete(), writer.startedMillis());
  }

  @Override
  public void abort() {
    writer.abort();
  }

  @Override
  public void close() {
    try {
      writer.close();
      rows.close();
    } finally {
      allocator.close();
    }
  }
}
