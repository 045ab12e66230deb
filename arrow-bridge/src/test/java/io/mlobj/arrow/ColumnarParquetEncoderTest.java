package io.mlobj.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.AllocatorExtension;
import io.mlobj.TestData;
import io.mlobj.internal.arrow.BulkPlainValuesWriterFactory;
import io.mlobj.internal.arrow.ByteArrayInputFile;
import io.mlobj.internal.arrow.ColumnarParquetEncoder;
import io.mlobj.internal.arrow.ParquetShardCodec;
import io.mlobj.internal.arrow.ParquetShardEncoder;
import java.io.IOException;
import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.statistics.SizeStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.values.factory.DefaultValuesWriterFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
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

  /**
   * Numbers of every fixed-width type with the values that trip writers up (NaN with payloads, -0,
   * infinities, extremes), null and empty lists, sparse and dense tensors; enough rows for several
   * pages per column, several row groups, and both a dictionary that holds (few distinct int64s)
   * and one that falls back to PLAIN (distinct int32s).
   */
  private static final Schema NUMBERS =
      new Schema(
          List.of(
              Field.nullable("i32", new ArrowType.Int(32, true)),
              Field.notNullable("i64", new ArrowType.Int(64, true)),
              Field.nullable("f32", TestData.FLOAT32),
              Field.nullable("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
              FixedShapeTensorType.field("dense", TestData.FLOAT32, 2, 4),
              new Field(
                  "sparse",
                  FieldType.nullable(new ArrowType.FixedSizeList(3)),
                  List.of(Field.nullable("item", TestData.FLOAT32))),
              new Field(
                  "doubles",
                  FieldType.nullable(new ArrowType.List()),
                  List.of(
                      Field.nullable(
                          "item", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)))),
              new Field(
                  "longs",
                  FieldType.nullable(new ArrowType.List()),
                  List.of(Field.nullable("item", new ArrowType.Int(64, true))))));

  private static final float[] SPECIAL_FLOATS = {
    0f,
    -0f,
    Float.NaN,
    Float.intBitsToFloat(0x7fc00001),
    Float.intBitsToFloat(0xff800001),
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY,
    Float.MAX_VALUE,
    -Float.MAX_VALUE,
    Float.MIN_VALUE,
    1.25f
  };

  private static double special(long i) {
    float f = SPECIAL_FLOATS[(int) (i % SPECIAL_FLOATS.length)];
    return f == 1.25f
        ? i * 0.5
        : (Float.isNaN(f) ? Double.longBitsToDouble(0x7ff8000000000001L) : f);
  }

  private VectorSchemaRoot numbers(int start, int rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(NUMBERS, arrow.allocator());
    root.allocateNew();
    FixedSizeListVector dense =
        ((FixedShapeTensorVector) root.getVector("dense")).getUnderlyingVector();
    FixedSizeListVector sparse = (FixedSizeListVector) root.getVector("sparse");
    ListVector doubles = (ListVector) root.getVector("doubles");
    ListVector longs = (ListVector) root.getVector("longs");
    for (int r = 0; r < rows; r++) {
      int id = start + r;
      boolean nulls = id % 13 == 5;
      ((BigIntVector) root.getVector("i64")).setSafe(r, id % 5 - 2);
      if (nulls) {
        continue; // every nullable column null, the dense tensor's list included
      }
      ((IntVector) root.getVector("i32")).setSafe(r, id * 7919);
      ((Float4Vector) root.getVector("f32")).setSafe(r, SPECIAL_FLOATS[id % SPECIAL_FLOATS.length]);
      ((Float8Vector) root.getVector("f64")).setSafe(r, special(id));
      int at = dense.startNewValue(r);
      for (int k = 0; k < 8; k++) {
        float f = SPECIAL_FLOATS[(id + k) % SPECIAL_FLOATS.length];
        ((Float4Vector) dense.getDataVector()).setSafe(at + k, f == 1.25f ? id + k / 8f : f);
      }
      at = sparse.startNewValue(r);
      for (int k = 0; k < 3; k++) {
        Float4Vector items = (Float4Vector) sparse.getDataVector();
        if ((id + k) % 4 == 0) {
          items.setNull(at + k);
        } else {
          items.setSafe(at + k, SPECIAL_FLOATS[(id * 3 + k) % SPECIAL_FLOATS.length]);
        }
      }
      int n = id % 4; // 0: an empty list
      at = doubles.startNewValue(r);
      for (int k = 0; k < n; k++) {
        ((Float8Vector) doubles.getDataVector()).setSafe(at + k, special(id + k));
      }
      doubles.endValue(r, n);
      at = longs.startNewValue(r);
      for (int k = 0; k < n; k++) {
        BigIntVector items = (BigIntVector) longs.getDataVector();
        if (k == 1) {
          items.setNull(at + k);
        } else {
          items.setSafe(at + k, k == 2 ? Long.MIN_VALUE : Long.MAX_VALUE - id);
        }
      }
      longs.endValue(r, n);
    }
    root.setRowCount(rows);
    return root;
  }

  @Test
  void bulkPlainWritersWriteByteForByteTheFileOfParquetMrsDefaultValuesWriters()
      throws IOException {
    for (String compression : List.of("snappy", "none")) {
      byte[] ours =
          writeNumbers(
              new ColumnarParquetEncoder(
                  NUMBERS, compression, 3 << 20, 1024, new BulkPlainValuesWriterFactory(), false));
      byte[] theirs = writeNumbers(parquetMrValueByValue(compression, 3 << 20));
      assertThat(ours).as(compression).isEqualTo(theirs);
      // What the identity covers: several row groups, pages and both dictionary outcomes.
      ParquetMetadata footer = footer(ours);
      assertThat(footer.getBlocks()).hasSizeGreaterThan(1);
      ColumnChunkMetaData first = footer.getBlocks().get(0).getColumns().get(0);
      assertThat(first.getPath().toDotString()).isEqualTo("i32");
      // Dictionary-enabled, but distinct values: the dictionary falls back to (our) PLAIN.
      assertThat(first.getEncodings())
          .contains(Encoding.PLAIN)
          .doesNotContain(Encoding.PLAIN_DICTIONARY);
      ColumnChunkMetaData i64 = footer.getBlocks().get(0).getColumns().get(1);
      assertThat(i64.getEncodings())
          .contains(Encoding.PLAIN_DICTIONARY)
          .doesNotContain(Encoding.PLAIN);
      assertThat(pageCount(ours, "dense")).isGreaterThan(footer.getBlocks().size());
      List<String> rows = readWithParquetMr(ours);
      assertThat(rows).hasSize(200_000).isEqualTo(readWithParquetMr(theirs));
      assertThat(String.join("\n", rows)).contains("NaN", "-0.0", "Infinity", "-Infinity");
    }
  }

  @Test
  void bulkTensorColumnsHoldTheSameChunkStatisticsEncodingsAndRowsAsValueByValueWrites()
      throws IOException {
    for (String compression : List.of("snappy", "none")) {
      // One row group each, so that chunk by chunk the same rows are compared.
      byte[] ours = writeNumbers(new ColumnarParquetEncoder(NUMBERS, compression, 256 << 20, 1024));
      byte[] theirs = writeNumbers(parquetMrValueByValue(compression, 256 << 20));
      assertSameChunks(footer(ours), footer(theirs));
      assertThat(readWithParquetMr(ours)).hasSize(200_000).isEqualTo(readWithParquetMr(theirs));
      // The tensor columns' pages: several, none above the page size by more than a row.
      for (String column : List.of("dense", "sparse")) {
        assertThat(pageCount(ours, column)).as(column).isGreaterThan(1);
      }
      assertThat(maxPageBytes(ours, "dense")).isLessThanOrEqualTo((1 << 20) + 64);
    }
    // Several row groups: cut at about the same rows, the same rows read back.
    byte[] ours = writeNumbers(new ColumnarParquetEncoder(NUMBERS, "snappy", 3 << 20, 1024));
    byte[] theirs = writeNumbers(parquetMrValueByValue("snappy", 3 << 20));
    assertThat(footer(ours).getBlocks()).hasSizeGreaterThan(1);
    assertThat(footer(ours).getBlocks().size())
        .isBetween(footer(theirs).getBlocks().size() - 1, footer(theirs).getBlocks().size() + 1);
    assertThat(readWithParquetMr(ours)).isEqualTo(readWithParquetMr(theirs));
  }

  @Test
  void tensorOnlySchemaWritesTensorsWithoutAnyValueByValueColumn() throws IOException {
    Schema tensors = new Schema(List.of(NUMBERS.findField("dense")));
    ColumnarParquetEncoder encoder = new ColumnarParquetEncoder(tensors, "none", 1 << 20, 1024);
    byte[] ours;
    try (encoder;
        VectorSchemaRoot all = numbers(0, 60_000);
        VectorSchemaRoot batch = new VectorSchemaRoot(List.of(all.getVector("dense")))) {
      batch.setRowCount(60_000);
      encoder.write(batch);
      ours = encoder.finish().bytes();
    }
    assertThat(footer(ours).getBlocks()).hasSizeGreaterThan(1);
    List<String> rows = readWithParquetMr(ours);
    assertThat(rows).hasSize(60_000);
    assertThat(rows.get(1)).contains("NaN", "-0.0"); // row 1: -0, NaN, NaN, NaN, +Inf, ...
  }

  private static ColumnarParquetEncoder parquetMrValueByValue(String compression, long group) {
    return new ColumnarParquetEncoder(
        NUMBERS, compression, group, 1024, new DefaultValuesWriterFactory(), false);
  }

  private static void assertSameChunks(ParquetMetadata a, ParquetMetadata b) {
    assertThat(a.getBlocks()).hasSameSizeAs(b.getBlocks());
    for (int g = 0; g < a.getBlocks().size(); g++) {
      assertThat(a.getBlocks().get(g).getRowCount()).isEqualTo(b.getBlocks().get(g).getRowCount());
      List<ColumnChunkMetaData> ca = a.getBlocks().get(g).getColumns();
      List<ColumnChunkMetaData> cb = b.getBlocks().get(g).getColumns();
      for (int i = 0; i < ca.size(); i++) {
        String column = ca.get(i).getPath().toDotString();
        assertThat(ca.get(i).getStatistics()).as(column).isEqualTo(cb.get(i).getStatistics());
        assertThat(ca.get(i).getStatistics().getNumNulls())
            .as(column)
            .isEqualTo(cb.get(i).getStatistics().getNumNulls());
        assertThat(ca.get(i).getEncodings()).as(column).isEqualTo(cb.get(i).getEncodings());
        assertThat(ca.get(i).getValueCount()).as(column).isEqualTo(cb.get(i).getValueCount());
        SizeStatistics sa = ca.get(i).getSizeStatistics();
        SizeStatistics sb = cb.get(i).getSizeStatistics();
        assertThat(sa.getRepetitionLevelHistogram())
            .as(column)
            .hasSize(column.equals("dense") ? 2 : sb.getRepetitionLevelHistogram().size())
            .isEqualTo(sb.getRepetitionLevelHistogram());
        assertThat(sa.getDefinitionLevelHistogram())
            .as(column)
            .isEqualTo(sb.getDefinitionLevelHistogram());
        assertThat(sa.getUnencodedByteArrayDataBytes())
            .as(column)
            .isEqualTo(sb.getUnencodedByteArrayDataBytes());
      }
    }
  }

  /** The largest uncompressed data page of one column. */
  private static long maxPageBytes(byte[] bytes, String column) throws IOException {
    long max = 0;
    try (ParquetFileReader reader = ParquetFileReader.open(new ByteArrayInputFile(bytes))) {
      ColumnDescriptor descriptor = column(reader, column);
      PageReadStore group;
      while ((group = reader.readNextRowGroup()) != null) {
        PageReader pages = group.getPageReader(descriptor);
        DataPage page;
        while ((page = pages.readPage()) != null) {
          max = Math.max(max, page.getUncompressedSize());
        }
      }
    }
    return max;
  }

  private static ColumnDescriptor column(ParquetFileReader reader, String name) {
    return reader.getFooter().getFileMetaData().getSchema().getColumns().stream()
        .filter(c -> c.getPath()[0].equals(name))
        .findFirst()
        .orElseThrow();
  }

  private byte[] writeNumbers(ShardEncoder encoder) {
    try (encoder) {
      for (int b = 0; b < 4; b++) {
        try (VectorSchemaRoot batch = numbers(b * 50_000, 50_000)) {
          encoder.write(batch);
        }
      }
      return encoder.finish().bytes();
    }
  }

  /** Data pages of one column over all row groups. */
  private static int pageCount(byte[] bytes, String column) throws IOException {
    int pages = 0;
    try (ParquetFileReader reader = ParquetFileReader.open(new ByteArrayInputFile(bytes))) {
      ColumnDescriptor descriptor = column(reader, column);
      PageReadStore group;
      while ((group = reader.readNextRowGroup()) != null) {
        PageReader reader1 = group.getPageReader(descriptor);
        while (reader1.readPage() != null) {
          pages++;
        }
      }
    }
    return pages;
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
    return ParquetMrRows.read(bytes).stream().map(Object::toString).toList();
  }
}
