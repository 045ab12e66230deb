package io.mlobj.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.AllocatorExtension;
import io.mlobj.TestData;
import io.mlobj.internal.arrow.ByteArrayInputFile;
import io.mlobj.internal.arrow.ColumnarParquetEncoder;
import io.mlobj.internal.arrow.ParquetShardCodec;
import io.mlobj.internal.arrow.ParquetShardEncoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The production Parquet writer is the column-at-a-time {@link ColumnarParquetEncoder} wherever it
 * supports the schema, and its files mean the same as those of the record-at-a-time {@link
 * ParquetShardEncoder}: parquet-mr's own record reader reads the same rows (nulls, empty and null
 * lists, tensors), the footer carries the same Arrow schema and the same per-chunk statistics
 * (which shard and row-group skipping relies on), and row groups are cut at the requested size.
 */
class ColumnarParquetEncoderTest {
  private static final int ROWS = 300;

  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();

  /** {@link TestData#allTypes()} without its struct column: every column the columnar path has. */
  private static Schema flat() {
    return new Schema(
        TestData.allTypes().getFields().stream().filter(f -> !f.getName().equals("meta")).toList());
  }

  @Test
  void defaultParquetWriteOfATensorSchemaUsesTheColumnarEncoderAndNestedSchemasTheRecordPath() {
    ParquetShardCodec codec = new ParquetShardCodec();
    try (ShardEncoder tensors =
            codec.newEncoder(flat(), "snappy", 1 << 20, arrow.allocator(), 1024);
        ShardEncoder nested =
            codec.newEncoder(TestData.allTypes(), "snappy", 1 << 20, arrow.allocator(), 1024)) {
      assertThat(tensors).isInstanceOf(ColumnarParquetEncoder.class);
      assertThat(nested).isInstanceOf(ParquetShardEncoder.class);
    }
  }

  @Test
  void columnarFileReadsLikeTheRecordPathFileWithParquetMrsOwnReader() throws IOException {
    for (String compression : List.of("snappy", "zstd", "none")) {
      byte[] columnar = write(new ColumnarParquetEncoder(flat(), compression, 64 << 20, 1024));
      byte[] records = write(new ParquetShardEncoder(flat(), compression, 64 << 20, 1024));
      assertThat(readWithParquetMr(columnar)).isEqualTo(readWithParquetMr(records)).hasSize(ROWS);
      ParquetMetadata a = footer(columnar);
      ParquetMetadata b = footer(records);
      assertThat(a.getFileMetaData().getSchema()).isEqualTo(b.getFileMetaData().getSchema());
      assertThat(a.getFileMetaData().getKeyValueMetaData())
          .containsKey("ARROW:schema")
          .isEqualTo(b.getFileMetaData().getKeyValueMetaData());
      assertThat(a.getBlocks()).hasSize(1);
      assertThat(b.getBlocks()).hasSize(1);
      List<ColumnChunkMetaData> ca = a.getBlocks().get(0).getColumns();
      List<ColumnChunkMetaData> cb = b.getBlocks().get(0).getColumns();
      assertThat(ca).hasSameSizeAs(cb);
      for (int i = 0; i < ca.size(); i++) {
        String column = ca.get(i).getPath().toDotString();
        Statistics<?> stats = ca.get(i).getStatistics();
        assertThat(stats.isNumNullsSet()).as(column).isTrue();
        assertThat(stats).as(column).isEqualTo(cb.get(i).getStatistics());
        assertThat(ca.get(i).getCodec()).as(column).isEqualTo(cb.get(i).getCodec());
        assertThat(ca.get(i).getEncodings()).as(column).isEqualTo(cb.get(i).getEncodings());
        assertThat(ca.get(i).getValueCount()).as(column).isEqualTo(cb.get(i).getValueCount());
      }
    }
  }

  @Test
  void columnarEncoderCutsRowGroupsAtTheRequestedSizeAndReportsThem() throws IOException {
    ColumnarParquetEncoder encoder = new ColumnarParquetEncoder(flat(), "snappy", 8 << 10, 1024);
    ShardEncoder.Encoded encoded;
    try (encoder) {
      try (VectorSchemaRoot batch = batch(0, 2000)) {
        encoder.write(batch);
      }
      encoded = encoder.finish();
    }
    List<BlockMetaData> blocks = footer(encoded.bytes()).getBlocks();
    assertThat(blocks).hasSizeGreaterThan(2);
    assertThat(encoded.batchRows())
        .isEqualTo(blocks.stream().map(BlockMetaData::getRowCount).toList());
    assertThat(encoded.batchRows().stream().mapToLong(Long::longValue).sum()).isEqualTo(2000);
  }

  @Test
  void largeRowsEndARowGroupNearTheRequestedSizeNotEvery128Rows() throws IOException {
    // 16 KiB rows (float32[64,64]) into 64 KiB row groups: a group must not grow to 128 rows.
    Schema images =
        new Schema(
            List.of(
                FixedShapeTensorType.field(
                    "image",
                    new org.apache.arrow.vector.types.pojo.ArrowType.FloatingPoint(
                        org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE),
                    64,
                    64)));
    ColumnarParquetEncoder encoder = new ColumnarParquetEncoder(images, "none", 64 << 10, 1024);
    ShardEncoder.Encoded encoded;
    try (encoder;
        VectorSchemaRoot batch = VectorSchemaRoot.create(images, arrow.allocator())) {
      FixedShapeTensorVector tensor = (FixedShapeTensorVector) batch.getVector("image");
      org.apache.arrow.vector.Float4Vector values =
          (org.apache.arrow.vector.Float4Vector) tensor.values();
      batch.allocateNew();
      for (int r = 0; r < 60; r++) {
        int base = tensor.getUnderlyingVector().startNewValue(r);
        for (int k = 0; k < 64 * 64; k++) {
          values.setSafe(base + k, r + k);
        }
      }
      batch.setRowCount(60);
      encoder.write(batch);
      encoded = encoder.finish();
    }
    assertThat(encoded.batchRows().stream().mapToLong(Long::longValue).sum()).isEqualTo(60);
    assertThat(encoded.batchRows()).hasSizeGreaterThanOrEqualTo(10).allMatch(rows -> rows <= 6);
  }

  private VectorSchemaRoot batch(long start, int rows) {
    VectorSchemaRoot all = TestData.allTypesBatch(arrow.allocator(), start, rows);
    List<String> names = flat().getFields().stream().map(Field::getName).toList();
    VectorSchemaRoot batch = new VectorSchemaRoot(names.stream().map(all::getVector).toList());
    batch.setRowCount(rows);
    all.getVector("meta").close(); // the only column the batch leaves out
    return batch;
  }

  /** Two batches, so that the second one continues the first's row group. */
  private byte[] write(ShardEncoder encoder) {
    try (encoder) {
      for (int b = 0; b < 2; b++) {
        try (VectorSchemaRoot batch = batch(b * (ROWS / 2L), ROWS / 2)) {
          encoder.write(batch);
        }
      }
      return encoder.finish().bytes();
    }
  }

  private static ParquetMetadata footer(byte[] bytes) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(new ByteArrayInputFile(bytes))) {
      return reader.getFooter();
    }
  }

  /** Rows as parquet-mr's example record reader materializes them, one string per row. */
  private static List<String> readWithParquetMr(byte[] bytes) throws IOException {
    List<String> rows = new ArrayList<>();
    try (ParquetFileReader reader = ParquetFileReader.open(new ByteArrayInputFile(bytes))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        RecordReader<Group> records =
            new ColumnIOFactory()
                .getColumnIO(schema)
                .getRecordReader(pages, new GroupRecordConverter(schema));
        for (long i = 0; i < pages.getRowCount(); i++) {
          rows.add(records.read().toString());
        }
      }
    }
    return rows;
  }
}
