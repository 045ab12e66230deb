package io.mlobj.spark.read;

import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/** Batches without columns (e.g. for {@code count(*)}): the manifest's row count, no I/O. */
final class RowCountReader implements PartitionReader<ColumnarBatch> {
  private long remaining;
  private final int batchRows;
  private ColumnarBatch current;

  RowCountReader(long rows, int batchRows) {
    this.remaining = rows;
    this.batchRows = batchRows;
  }

  @Override
  public boolean next() {
    if (remaining <= 0) {
      return false;
    }
    int n = (int) Math.min(remaining, batchRows);
    remaining -= n;
    current = new ColumnarBatch(new ColumnVector[0], n);
    return true;
  }

  @Override
  public ColumnarBatch get() {
    return current;
  }

  @Override
  public void close() {}
}
