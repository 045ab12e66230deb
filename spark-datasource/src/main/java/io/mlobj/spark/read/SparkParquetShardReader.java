package io.mlobj.spark.read;

import io.mlobj.MlobjErrors;
import io.mlobj.ScanTask;
import io.mlobj.Shard;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.store.ObjectStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.execution.datasources.parquet.VectorizedParquetRecordReader;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.Option;

/**
 * Reads a Parquet shard with Spark's own vectorized Parquet reader: only the selected column chunks
 * of the selected row groups are fetched (ranged reads), which beats fetching and decoding the
 * whole shard. The manifest stays the source of truth: it names the file and its row groups, and
 * the object's size is checked against it. The whole-object CRC32C is not verified on this path (it
 * would need the whole object); use {@code parquetReader=mlobj} to verify it.
 */
final class SparkParquetShardReader implements PartitionReader<ColumnarBatch> {
  private final VectorizedParquetRecordReader reader;
  private final long shardsRead;
  private final long bytes;

  SparkParquetShardReader(
      String uri,
      Map<String, String> conf,
      MlobjInputPartition partition,
      StructType sparkSchema,
      int batchRows) {
    ScanTask task = partition.task();
    Shard shard = task.shard();
    // Hadoop's defaults parsed once per JVM: parsing them again per task cost more CPU than
    // decoding a small shard.
    Configuration hadoop = ObjectStores.hadoopConfiguration(conf);
    hadoop.set(
        "org.apache.spark.sql.parquet.row.requested_schema", nullableElements(sparkSchema).json());
    hadoop.set(
        "parquet.read.support.class",
        "org.apache.spark.sql.execution.datasources.parquet.ParquetReadSupport");
    hadoop.set("spark.sql.parquet.binaryAsString", "false");
    hadoop.set("spark.sql.parquet.int96AsTimestamp", "true");
    hadoop.set("spark.sql.parquet.inferTimestampNTZ.enabled", "true");
    hadoop.set("spark.sql.legacy.parquet.nanosAsLong", "false");
    hadoop.set("spark.sql.caseSensitive", "true");
    hadoop.set("spark.sql.parquet.fieldId.read.enabled", "false");
    hadoop.set("spark.sql.parquet.fieldId.read.ignoreMissing", "false");
    hadoop.set("spark.sql.session.timeZone", "UTC");
    Path path = new Path(uri + "/" + shard.path());
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      FileStatus status = fs.getFileStatus(path);
      if (status.getLen() != shard.bytes()) {
        throw MlobjErrors.sizeMismatch(
            uri, partition.version(), path.toString(), shard.bytes(), status.getLen());
      }
      HadoopInputFile input = HadoopInputFile.fromStatus(status, hadoop);
      long start = 0;
      long length = status.getLen();
      if (!task.isWholeShard()) {
        try (ParquetFileReader footer = ParquetFileReader.open(input)) {
          List<BlockMetaData> blocks = footer.getFooter().getBlocks();
          BlockMetaData first = blocks.get(task.firstBatch());
          BlockMetaData last = blocks.get(task.firstBatch() + task.batchCount() - 1);
          // Spark keeps the row groups whose midpoint lies in the split.
          start = first.getStartingPos();
          length = last.getStartingPos() + last.getCompressedSize() - start;
        }
      }
      this.bytes = length;
      org.apache.hadoop.mapred.FileSplit split =
          new org.apache.hadoop.mapred.FileSplit(path, start, length, new String[0]);
      reader =
          new VectorizedParquetRecordReader(
              null, "CORRECTED", "UTC", "CORRECTED", "UTC", false, batchRows);
      reader.initialize(
          split,
          new TaskAttemptContextImpl(hadoop, new TaskAttemptID()),
          Option.apply(input),
          Option.empty(),
          Option.empty());
      reader.initBatch(new StructType(), null);
      reader.enableReturningBatches();
      this.shardsRead = 1;
    } catch (java.io.FileNotFoundException e) {
      throw MlobjErrors.shardMissing(uri, partition.version(), path.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read shard " + path + " of dataset " + uri + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while opening " + path, e);
    }
  }

  /**
   * Tensor elements are declared non-null in the Spark schema but stored as optional Parquet
   * fields; requesting them as stored keeps Spark's reader on its plain path (the values are never
   * null, so the non-null declaration stays true).
   */
  private static StructType nullableElements(StructType schema) {
    org.apache.spark.sql.types.StructField[] fields = schema.fields().clone();
    for (int i = 0; i < fields.length; i++) {
      if (fields[i].dataType() instanceof org.apache.spark.sql.types.ArrayType a
          && !a.containsNull()) {
        fields[i] =
            new org.apache.spark.sql.types.StructField(
                fields[i].name(),
                org.apache.spark.sql.types.DataTypes.createArrayType(a.elementType(), true),
                fields[i].nullable(),
                org.apache.spark.sql.types.Metadata.empty());
      }
    }
    return new StructType(fields);
  }

  /** Whether Spark's Parquet reader yields exactly the Spark types mlobj maps these columns to. */
  static boolean canRead(Schema schema) {
    for (Field field : schema.getFields()) {
      if (!simple(field)) {
        return false;
      }
    }
    return true;
  }

  private static boolean simple(Field field) {
    ArrowType type = field.getType();
    if (type instanceof FixedShapeTensorType
        || type instanceof ArrowType.List
        || type instanceof ArrowType.FixedSizeList) {
      return field.getChildren().size() == 1 && primitive(field.getChildren().get(0).getType());
    }
    return primitive(type);
  }

  private static boolean primitive(ArrowType type) {
    if (type instanceof ArrowType.Int i) {
      return i.getIsSigned() || i.getBitWidth() < 64;
    }
    if (type instanceof ArrowType.Timestamp ts) {
      return ts.getUnit() == TimeUnit.MICROSECOND || ts.getUnit() == TimeUnit.MILLISECOND;
    }
    if (type instanceof ArrowType.FloatingPoint f) {
      return f.getPrecision() != org.apache.arrow.vector.types.FloatingPointPrecision.HALF;
    }
    return type instanceof ArrowType.Bool
        || type instanceof ArrowType.Utf8
        || type instanceof ArrowType.Binary
        || type instanceof ArrowType.Date;
  }

  @Override
  public boolean next() throws IOException {
    return reader.nextKeyValue();
  }

  @Override
  public ColumnarBatch get() {
    return (ColumnarBatch) reader.getCurrentValue();
  }

  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    return new CustomTaskMetric[] {
      ScanMetricsReport.value(ScanMetricsReport.SHARDS_READ, shardsRead),
      ScanMetricsReport.value(ScanMetricsReport.BYTES_READ, bytes)
    };
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
