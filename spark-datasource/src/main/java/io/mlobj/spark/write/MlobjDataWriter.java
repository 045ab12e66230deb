package io.mlobj.spark.write;

import io.mlobj.DatasetWriter;
import io.mlobj.spark.Datasets;
import io.mlobj.spark.types.RowsToArrow;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.apache.spark.sql.types.StructType;

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

  MlobjDataWriter(
      String uri,
      Map<String, String> conf,
      Schema schema,
      StructType sparkSchema,
      Map<String, String> writerOptions,
      List<String> partitionBy,
      int batchRows,
      String name) {
    this.batchRows = batchRows;
    this.allocator = Datasets.allocator("mlobj-spark-write-" + name);
    try {
      this.rows = new RowsToArrow(schema, sparkSchema, allocator);
      this.writer =
          Datasets.handle(uri, conf)
              .newWriter(schema)
              .options(writerOptions)
              .partitionBy(partitionBy)
              .build(allocator);
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
