package io.mlobj.spark.write;

import io.mlobj.arrow.SchemaCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
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
    try {
      return new MlobjDataWriter(
          uri,
          conf,
          SchemaCodec.fromBase64(schemaBase64),
          (StructType) DataType.fromJson(sparkSchemaJson),
          writerOptions,
          partitionBy,
          batchRows,
          "p" + partitionId + "-t" + taskId);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public DataWriter<InternalRow> createWriter(int partitionId, long taskId, long epochId) {
    return createWriter(partitionId, taskId);
  }
}
