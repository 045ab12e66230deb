package io.mlobj.spark.read;

import io.mlobj.ScanMetrics;
import io.mlobj.arrow.BatchReader;
import io.mlobj.spark.Datasets;
import io.mlobj.spark.types.ArrowColumns;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Reads one task through the kernel: fetches the shard, verifies size and CRC32C, decodes it to
 * Arrow and hands Spark zero-copy Arrow-backed batches. Each batch is valid until the next call to
 * {@link #next()}.
 */
final class KernelShardReader implements PartitionReader<ColumnarBatch> {
  private final ScanMetrics metrics = new ScanMetrics();
  private final BufferAllocator allocator;
  private final BatchReader reader;
  private ColumnarBatch current;

  KernelShardReader(
      String uri,
      Map<String, String> conf,
      MlobjInputPartition partition,
      Schema schema,
      int batchRows,
      boolean verifyChecksums) {
    this.allocator = Datasets.allocator("mlobj-spark-read-" + partition.task().shard().path());
    try {
      this.reader =
          Datasets.handle(uri, conf)
              .newTaskReader(schema)
              .batchRows(batchRows)
              .verifyChecksums(verifyChecksums)
              .metrics(metrics)
              .build()
              .open(partition.version(), partition.task(), allocator);
    } catch (RuntimeException e) {
      allocator.close();
      throw e;
    }
  }

  @Override
  public boolean next() {
    if (!reader.next()) {
      return false;
    }
    current = ArrowColumns.batch(reader.root());
    metrics.rowsRead.addAndGet(current.numRows());
    return true;
  }

  @Override
  public ColumnarBatch get() {
    return current;
  }

  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    return ScanMetricsReport.task(metrics);
  }

  @Override
  public void close() {
    try {
      reader.close();
    } finally {
      allocator.close();
    }
  }
}
