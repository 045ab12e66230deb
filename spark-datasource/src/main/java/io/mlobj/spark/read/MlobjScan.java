package io.mlobj.spark.read;

import io.mlobj.Predicate;
import io.mlobj.ScanTask;
import io.mlobj.Snapshot;
import io.mlobj.arrow.SchemaCodec;
import io.mlobj.spark.MlobjOptions;
import io.mlobj.spark.MlobjTable;
import io.mlobj.spark.streaming.MlobjMicroBatchStream;
import io.mlobj.spark.types.SparkSchemas;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.Statistics;
import org.apache.spark.sql.connector.read.SupportsReportStatistics;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.StructType;

/**
 * A planned read of one pinned version: the kernel's {@link io.mlobj.Scan} plans the tasks on the
 * driver (manifests only, never a listing) and each task becomes one input partition.
 */
public final class MlobjScan implements Scan, Batch, SupportsReportStatistics {
  private final MlobjTable table;
  private final MlobjOptions options;
  private final List<String> columns;
  private final Predicate filter;
  private final List<Filter> pushed;
  private io.mlobj.Scan scan;

  MlobjScan(
      MlobjTable table,
      MlobjOptions options,
      List<String> columns,
      Predicate filter,
      List<Filter> pushed) {
    this.table = table;
    this.options = options;
    this.columns = columns;
    this.filter = filter;
    this.pushed = pushed;
  }

  /** The version read. */
  public Snapshot snapshot() {
    return table.snapshot();
  }

  private synchronized io.mlobj.Scan kernelScan() {
    if (scan == null) {
      scan =
          table
              .snapshot()
              .newScan()
              .select(columns)
              .filter(filter)
              .batchRows(batchRows())
              .targetSplitRows(options.splitRows())
              .verifyChecksums(options.verifyChecksums())
              .build();
    }
    return scan;
  }

  /** {@code batchRows} if set, else sized to the width of the selected columns. */
  private int batchRows() {
    if (options.hasBatchRows()) {
      return options.batchRows();
    }
    return BatchSizing.rows(
        table.snapshot().schema().getFields().stream()
            .filter(f -> columns.contains(f.getName()))
            .toList());
  }

  @Override
  public StructType readSchema() {
    return SparkSchemas.toSpark(kernelScan().schema());
  }

  @Override
  public String description() {
    return "mlobj "
        + table.snapshot()
        + " columns="
        + columns
        + (pushed.isEmpty() ? "" : " shardFilters=" + pushed)
        + " batchRows="
        + batchRows()
        + (useSparkParquetReader() ? " parquetReader=spark" : " parquetReader=mlobj")
        + (readRows() ? " output=rows" : " output=columnar");
  }

  @Override
  public Batch toBatch() {
    return this;
  }

  @Override
  public MicroBatchStream toMicroBatchStream(String checkpointLocation) {
    return new MlobjMicroBatchStream(
        table.dataset(), options, kernelScan().schema(), readerFactory());
  }

  @Override
  public InputPartition[] planInputPartitions() {
    long version = table.snapshot().version();
    List<ScanTask> tasks = kernelScan().planTasks();
    return tasks.stream()
        .map(t -> new MlobjInputPartition(version, t))
        .toArray(InputPartition[]::new);
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    return readerFactory();
  }

  private MlobjReaderFactory readerFactory() {
    return new MlobjReaderFactory(
        table.dataset().uri(),
        options.conf(),
        SchemaCodec.toBase64(kernelScan().schema()),
        readSchema().json(),
        batchRows(),
        options.verifyChecksums(),
        useSparkParquetReader(),
        readRows());
  }

  /**
   * {@code auto}: rows when an array column of fixed-width elements is read. Spark converts batches
   * to rows for nearly every consumer anyway, and its projection copies an {@code UnsafeArrayData}
   * at once but a {@code ColumnarArray} element by element.
   */
  private boolean readRows() {
    return switch (options.readAs()) {
      case "rows" -> true;
      case "columnar" -> false;
      default ->
          java.util.Arrays.stream(readSchema().fields())
              .anyMatch(f -> io.mlobj.spark.types.UnsafeArrayColumn.supports(f.dataType()));
    };
  }

  /**
   * {@code auto}: Spark's reader for flat columns, the kernel's when tensors or lists are read or
   * when {@code verifyChecksums=true} is set explicitly (only the kernel verifies CRC32C).
   */
  private boolean useSparkParquetReader() {
    return switch (options.parquetReader()) {
      case "spark" -> true;
      case "mlobj" -> false;
      default ->
          !options.checksumsRequested()
              && kernelScan().schema().getFields().stream()
                  .noneMatch(
                      f ->
                          f.getType() instanceof io.mlobj.arrow.FixedShapeTensorType
                              || !f.getChildren().isEmpty());
    };
  }

  @Override
  public Statistics estimateStatistics() {
    Map<String, Long> estimate = kernelScan().estimate();
    return new Statistics() {
      @Override
      public OptionalLong sizeInBytes() {
        return OptionalLong.of(estimate.get("bytes"));
      }

      @Override
      public OptionalLong numRows() {
        return OptionalLong.of(estimate.get("rows"));
      }
    };
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return ScanMetricsReport.supported();
  }

  @Override
  public CustomTaskMetric[] reportDriverMetrics() {
    kernelScan().planTasks();
    return ScanMetricsReport.driver(kernelScan().metrics());
  }
}
