package io.mlobj.spark.read;

import io.mlobj.ShardCodecs;
import io.mlobj.arrow.SchemaCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Opens readers on executors. Arrow IPC shards, and Parquet shards when the scan chose the kernel
 * (tensor or list columns under {@code parquetReader=auto}, or {@code mlobj}), are read by the
 * kernel ({@code TaskReader}) and exposed as Arrow-backed columnar batches; otherwise Parquet
 * shards are decoded by Spark's vectorized Parquet reader, with the manifest still naming the file,
 * its size and the row groups to read.
 *
 * <p>Scans that read tensors or other arrays of fixed-width elements are row-based ({@code
 * readAs=auto}): the same columnar readers, wrapped by {@link UnsafeArrayRowsReader}.
 */
public final class MlobjReaderFactory implements PartitionReaderFactory {
  private static final long serialVersionUID = 1L;

  private final String uri;
  private final Map<String, String> conf;
  private final String schemaBase64;
  private final String sparkSchemaJson;
  private final int batchRows;
  private final boolean verifyChecksums;
  private final boolean sparkParquet;
  private final boolean rows;
  private transient Schema schema;
  private transient StructType sparkSchema;

  public MlobjReaderFactory(
      String uri,
      Map<String, String> conf,
      String schemaBase64,
      String sparkSchemaJson,
      int batchRows,
      boolean verifyChecksums,
      boolean sparkParquet,
      boolean rows) {
    this.uri = uri;
    this.conf = Map.copyOf(conf);
    this.schemaBase64 = schemaBase64;
    this.sparkSchemaJson = sparkSchemaJson;
    this.batchRows = batchRows;
    this.verifyChecksums = verifyChecksums;
    this.sparkParquet = sparkParquet;
    this.rows = rows;
  }

  private Schema schema() {
    if (schema == null) {
      try {
        schema = SchemaCodec.fromBase64(schemaBase64);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return schema;
  }

  private StructType sparkSchema() {
    if (sparkSchema == null) {
      sparkSchema = (StructType) DataType.fromJson(sparkSchemaJson);
    }
    return sparkSchema;
  }

  @Override
  public boolean supportColumnarReads(InputPartition partition) {
    return !rows;
  }

  @Override
  public PartitionReader<ColumnarBatch> createColumnarReader(InputPartition partition) {
    MlobjInputPartition p = (MlobjInputPartition) partition;
    if (schema().getFields().isEmpty()) {
      return new RowCountReader(p.task().rows(), batchRows);
    }
    if (sparkParquet
        && ShardCodecs.of(p.task().shard().format()).isPlainParquet()
        && SparkParquetShardReader.canRead(schema())) {
      return new SparkParquetShardReader(uri, conf, p, sparkSchema(), batchRows);
    }
    return new KernelShardReader(uri, conf, p, schema(), batchRows, verifyChecksums);
  }

  @Override
  public PartitionReader<InternalRow> createReader(InputPartition partition) {
    return new UnsafeArrayRowsReader(createColumnarReader(partition), sparkSchema());
  }
}
