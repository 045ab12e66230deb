package io.mlobj.internal.arrow;

import io.mlobj.arrow.AbstractShardEncoder;
import io.mlobj.arrow.SchemaCodec;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Encodes Arrow batches as one Parquet file with parquet-mr. The Arrow schema is stored under the
 * footer key {@code ARROW:schema} (as pyarrow does), so tensor columns come back as {@code
 * arrow.fixed_shape_tensor} in pyarrow and in mlobj.
 */
public final class ParquetShardEncoder extends AbstractShardEncoder {
  static final String WHAT = "a Parquet shard";

  private final ByteBufferOutputFile out;
  private final ParquetWriter<Integer> writer;
  private final ArrowWriteSupport support;

  public ParquetShardEncoder(
      Schema schema, String compression, long rowGroupBytes, int initialCapacity) {
    super(WHAT);
    this.out = new ByteBufferOutputFile(initialCapacity);
    this.support = new ArrowWriteSupport(schema);
    try {
      Builder builder = new Builder(out, support);
      // Dictionaries rarely pay off for floating point (tensors, embeddings) and would disable the
      // bulk-copy read path (BulkPageDecoder).
      for (org.apache.parquet.column.ColumnDescriptor column :
          ParquetSchemas.toParquet(schema).getColumns()) {
        PrimitiveTypeName type = column.getPrimitiveType().getPrimitiveTypeName();
        if (type == PrimitiveTypeName.FLOAT || type == PrimitiveTypeName.DOUBLE) {
          builder.withDictionaryEncoding(String.join(".", column.getPath()), false);
        }
      }
      this.writer =
          builder
              .withCompressionCodec(codec(compression))
              .withRowGroupSize(rowGroupBytes)
              .withPageSize(1 << 20)
              .withDictionaryEncoding(true)
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .withValidation(false)
              .build();
    } catch (IOException e) {
      throw failed("start", WHAT, e);
    }
  }

  /** A finished Parquet file; its row groups are its batches. */
  public static Encoded encoded(
      byte[] bytes, org.apache.parquet.hadoop.metadata.ParquetMetadata footer) {
    return new Encoded(
        bytes, footer.getBlocks().stream().map(block -> block.getRowCount()).toList());
  }

  /** Parses a compression name; an unknown one is an error listing the valid ones. */
  public static CompressionCodecName codec(String compression) {
    String c =
        compression == null ? "snappy" : compression.trim().toLowerCase(java.util.Locale.ROOT);
    return switch (c) {
      case "none", "uncompressed", "" -> CompressionCodecName.UNCOMPRESSED;
      case "snappy" -> CompressionCodecName.SNAPPY;
      case "zstd" -> CompressionCodecName.ZSTD;
      case "gzip" -> CompressionCodecName.GZIP;
      case "lz4", "lz4_raw" -> CompressionCodecName.LZ4_RAW;
      default ->
          throw io.mlobj.MlobjErrors.badOption(
              "compression", compression, "none, snappy, zstd, gzip or lz4 for Parquet shards");
    };
  }

  @Override
  protected void encode(VectorSchemaRoot batch) throws IOException {
    support.current = batch.getFieldVectors();
    int n = batch.getRowCount();
    for (int i = 0; i < n; i++) {
      writer.write(i);
    }
  }

  @Override
  protected long bytesSoFar() {
    return writer.getDataSize();
  }

  @Override
  protected Encoded complete() throws IOException {
    writer.close();
    return encoded(out.toByteArray(), writer.getFooter());
  }

  @Override
  public void close() {
    try {
      writer.close();
    } catch (IOException | RuntimeException ignored) {
      // Closing after finish() or after a failure: nothing more to release.
    }
  }

  private static final class Builder extends ParquetWriter.Builder<Integer, Builder> {
    private final ArrowWriteSupport support;

    Builder(OutputFile file, ArrowWriteSupport support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Integer> getWriteSupport(Configuration conf) {
      return support;
    }
  }

  /** Writes row {@code i} of the current batch. */
  private static final class ArrowWriteSupport extends WriteSupport<Integer> {
    private final Schema schema;
    private final MessageType parquetSchema;
    private RecordConsumer consumer;
    private List<FieldVector> current;

    ArrowWriteSupport(Schema schema) {
      this.schema = schema;
      this.parquetSchema = ParquetSchemas.toParquet(schema);
    }

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(parquetSchema, Map.of("ARROW:schema", SchemaCodec.toBase64(schema)));
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.consumer = recordConsumer;
    }

    @Override
    public void write(Integer row) {
      ArrowRowWriter.writeRow(consumer, current, row);
    }
  }
}
