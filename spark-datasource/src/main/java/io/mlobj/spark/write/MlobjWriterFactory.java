package io.mlobj.spark.write;

import io.mlobj.DatasetWriter;
import io.mlobj.arrow.SchemaCodec;
import io.mlobj.spark.Datasets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.streaming.StreamingDataWriterFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/** Creates one {@link MlobjDataWriter} per task attempt, batch or streaming. */
public final class MlobjWriterFactory implements DataWriterFactory, StreamingDataWriterFactory {
  private static final long serialVersionUID = 1L;

  private final String uri;
  private final Map<String, String> conf;
  private final String schemaBase64;
  private final String sparkSchemaJson;
  private final Map<String, String> writerOptions;
  private final List<String> partitionBy;
  private final int batchRows;

  MlobjWriterFactory(
      String uri,
      Map<String, String> conf,
      Schema schema,
      StructType sparkSchema,
      Map<String, String> writerOptions,
      List<String> partitionBy,
      int batchRows) {
    this.uri = uri;
    this.conf = Map.copyOf(conf);
    this.schemaBase64 = SchemaCodec.toBase64(schema);
    this.sparkSchemaJson = sparkSchema.json();
    this.writerOptions = Map.copyOf(writerOptions);
    this.partitionBy = List.copyOf(partitionBy);
    this.batchRows = batchRows;
  }

  @Override
  public DataWriter<InternalRow> createWriter(int partitionId, long taskId) {
    return new MlobjDataWriter(this, "p" + partitionId + "-t" + taskId);
  }

  /** The Arrow schema of the written rows. */
  Schema schema() {
    try {
      return SchemaCodec.fromBase64(schemaBase64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Spark schema of the incoming rows. */
  StructType sparkSchema() {
    return (StructType) DataType.fromJson(sparkSchemaJson);
  }

  /** Rows per Arrow batch handed to the kernel's writer. */
  int batchRows() {
    return batchRows;
  }

  /** The kernel writer of one task attempt, partitioned and configured as the write asks. */
  DatasetWriter newWriter(Schema schema, BufferAllocator allocator) {
    return Datasets.handle(uri, conf)
        .newWriter(schema)
        .options(writerOptions)
        .partitionBy(partitionBy)
        .build(allocator);
  }

  @Override
  public DataWriter<InternalRow> createWriter(int partitionId, long taskId, long epochId) {
    return createWriter(partitionId, taskId);
  }
}
