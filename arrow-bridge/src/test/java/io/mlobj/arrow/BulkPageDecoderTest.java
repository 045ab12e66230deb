package io.mlobj.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.AllocatorExtension;
import io.mlobj.internal.arrow.BulkPageDecoder;
import io.mlobj.internal.arrow.ByteArrayInputFile;
import io.mlobj.internal.arrow.ByteBufferOutputFile;
import io.mlobj.internal.arrow.ParquetBatchReader;
import io.mlobj.internal.arrow.RleHybridDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bulk page decoder reads exactly what parquet-mr's own record reader reads: dictionary and
 * PLAIN pages, a writer's fallback from dictionary to PLAIN in the middle of a column chunk, nulls
 * in flat columns, pages that end inside a batch, several row groups, V1 and V2 data pages, and
 * INT32 narrowed into 8-bit vectors (pyarrow's uint8 images).
 */
class BulkPageDecoderTest {
  private static final int LIST = 12;
  private static final int VEC = 5;
  private static final MessageType PARQUET =
      MessageTypeParser.parseMessageType(
          "message m {\n"
              + "  required int64 id;\n"
              + "  optional int32 small (INTEGER(8,false));\n"
              + "  optional int32 label;\n"
              + "  optional double score;\n"
              + "  optional group image (LIST) {\n"
              + "    repeated group list { optional int32 element (INTEGER(8,false)); }\n"
              + "  }\n"
              + "  optional group vec (LIST) {\n"
              + "    repeated group list { required float element; }\n"
              + "  }\n"
              + "}");
  private static final Schema ARROW =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.nullable("small", new ArrowType.Int(8, false)),
              Field.nullable("label", new ArrowType.Int(32, true)),
              Field.nullable("score", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
              list("image", LIST, new ArrowType.Int(8, false)),
              list("vec", VEC, new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))));

  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();

  private static Field list(String name, int size, ArrowType element) {
    return new Field(
        name,
        FieldType.nullable(new ArrowType.FixedSizeList(size)),
        List.of(Field.nullable("element", element)));
  }

  /**
   * 3,000 rows in row groups of 700, pages of at most 7 rows. The first 1,000 rows use few distinct
   * values (dictionary pages), the rest many (the dictionary overflows its 512 bytes and the writer
   * falls back to PLAIN within the chunk). Every fifth label and every seventh small value is null.
   */
  private static byte[] file(WriterVersion version) throws IOException {
    return file(version, CompressionCodecName.UNCOMPRESSED);
  }

  private static byte[] file(WriterVersion version, CompressionCodecName codec) throws IOException {
    ByteBufferOutputFile out = new ByteBufferOutputFile(1 << 20);
    Random random = new Random(42);
    SimpleGroupFactory groups = new SimpleGroupFactory(PARQUET);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(out)
            .withType(PARQUET)
            .withWriterVersion(version)
            .withCompressionCodec(codec)
            .withDictionaryEncoding(true)
            .withDictionaryPageSize(512)
            .withRowGroupRowCountLimit(700)
            .withPageRowCountLimit(7)
            .withMinRowCountForPageSizeCheck(1)
            .build()) {
      for (int i = 0; i < 3000; i++) {
        boolean few = i < 1000;
        Group g = groups.newGroup().append("id", (long) i);
        if (i % 7 != 3) {
          g.append("small", few ? i % 3 : random.nextInt(256));
        }
        if (i % 5 != 0) {
          g.append("label", few ? i % 2 : random.nextInt());
        }
        g.append("score", few ? (i % 4) / 2.0 : random.nextDouble());
        Group image = g.addGroup("image");
        for (int k = 0; k < LIST; k++) {
          image.addGroup("list").append("element", few ? (i + k) % 4 : random.nextInt(256));
        }
        Group vec = g.addGroup("vec");
        for (int k = 0; k < VEC; k++) {
          vec.addGroup("list").append("element", few ? (float) (k % 2) : random.nextFloat());
        }
        writer.write(g);
      }
    }
    return out.toByteArray();
  }

  @ParameterizedTest(name = "writer = {0}")
  @EnumSource(WriterVersion.class)
  void decodesDictionaryAndPlainPagesLikeParquetMr(WriterVersion version) throws IOException {
    byte[] bytes = file(version);
    assertShape(bytes);
    assertReadsLikeParquetMr(bytes);
  }

  /**
   * Snappy pages take mlobj's one-call decompression, ZSTD and GZIP pages parquet-mr's codecs; the
   * reference read uses parquet-mr's own codecs for all.
   */
  @ParameterizedTest(name = "codec = {0}")
  @EnumSource(
      value = CompressionCodecName.class,
      names = {"SNAPPY", "ZSTD", "GZIP"})
  void compressedPagesDecodeLikeParquetMr(CompressionCodecName codec) throws IOException {
    for (WriterVersion version : WriterVersion.values()) {
      assertReadsLikeParquetMr(file(version, codec));
    }
  }

  /**
   * A shard read in place from off-heap memory (a mapping of the local cache's copy), at an offset
   * within its buffer, decodes as from an array.
   */
  @Test
  void decodesFromADirectBufferAtAnOffset() throws IOException {
    byte[] bytes = file(WriterVersion.PARQUET_2_0, CompressionCodecName.SNAPPY);
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 11);
    direct.position(7);
    direct.put(bytes);
    direct.position(7).limit(7 + bytes.length);
    List<Group> expected = ParquetMrRows.read(bytes);
    int seen = 0;
    try (ParquetBatchReader reader =
        new ParquetBatchReader(direct, ARROW, arrow.allocator(), 0, -1, 333)) {
      while (reader.next()) {
        VectorSchemaRoot root = reader.root();
        for (int r = 0; r < root.getRowCount(); r++) {
          assertRow(root, r, expected.get(seen++));
        }
      }
    }
    assertThat(seen).isEqualTo(3000);
    assertThat(direct.position()).as("the caller's buffer is not moved").isEqualTo(7);
  }

  /** Row group by row group, as the trainer feed opens them, and all at once in batches. */
  private void assertReadsLikeParquetMr(byte[] bytes) throws IOException {
    List<Group> expected = ParquetMrRows.read(bytes);
    int groups;
    try (ParquetFileReader reader = ParquetFileReader.open(new ByteArrayInputFile(bytes))) {
      groups = reader.getRowGroups().size();
    }
    int row = 0;
    for (int g = 0; g < groups; g++) {
      try (ParquetBatchReader reader =
          new ParquetBatchReader(bytes, ARROW, arrow.allocator(), g, 1, Integer.MAX_VALUE)) {
        while (reader.next()) {
          VectorSchemaRoot root = reader.root();
          for (int r = 0; r < root.getRowCount(); r++) {
            assertRow(root, r, expected.get(row++));
          }
        }
      }
    }
    assertThat(row).isEqualTo(3000);
    for (int batchRows : new int[] {10, 1024}) {
      List<Group> seen = new ArrayList<>();
      try (ParquetBatchReader reader =
          new ParquetBatchReader(bytes, ARROW, arrow.allocator(), 0, -1, batchRows)) {
        while (reader.next()) {
          VectorSchemaRoot root = reader.root();
          for (int r = 0; r < root.getRowCount(); r++) {
            assertRow(root, r, expected.get(seen.size()));
            seen.add(null);
          }
        }
      }
      assertThat(seen).hasSize(3000);
    }
  }

  /** The file has what the test is about: several row groups, dictionary and PLAIN pages. */
  private void assertShape(byte[] bytes) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(new ByteArrayInputFile(bytes))) {
      List<BlockMetaData> blocks = reader.getRowGroups();
      assertThat(blocks).hasSizeGreaterThan(3);
      for (ColumnChunkMetaData chunk : blocks.get(0).getColumns()) {
        if (!chunk.getPath().toDotString().equals("id")) {
          assertThat(chunk.hasDictionaryPage()).as(chunk.getPath().toDotString()).isTrue();
        }
      }
      ColumnChunkMetaData image = blocks.get(1).getColumns().get(4);
      assertThat(image.getEncodings())
          .as("a chunk that falls back from dictionary to PLAIN")
          .contains(Encoding.PLAIN)
          .containsAnyOf(Encoding.PLAIN_DICTIONARY, Encoding.RLE_DICTIONARY);
      // The list columns take the bulk path (no nulls, whole rows).
      PageReadStore pages = reader.readNextRowGroup();
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      try (VectorSchemaRoot root = VectorSchemaRoot.create(ARROW, arrow.allocator())) {
        for (String column : List.of("image", "vec", "small", "label", "score")) {
          var descriptor = schema.getColumnDescription(path(column));
          ColumnChunkMetaData chunk =
              blocks.get(0).getColumns().stream()
                  .filter(c -> c.getPath().toDotString().equals(String.join(".", path(column))))
                  .findFirst()
                  .orElseThrow();
          assertThat(
                  BulkPageDecoder.forChunk(
                      pages.getPageReader(descriptor),
                      descriptor,
                      chunk,
                      pages.getRowCount(),
                      root.getVector(column)))
              .as(column)
              .isNotNull();
        }
      }
    }
  }

  private static String[] path(String column) {
    return column.equals("image") || column.equals("vec")
        ? new String[] {column, "list", "element"}
        : new String[] {column};
  }

  private static void assertRow(VectorSchemaRoot root, int r, Group expected) {
    String at = "row " + expected.getLong("id", 0);
    assertThat(root.getVector("id").getObject(r)).as(at).isEqualTo(expected.getLong("id", 0));
    assertThat(root.getVector("small").getObject(r))
        .as(at)
        .isEqualTo(
            expected.getFieldRepetitionCount("small") == 0
                ? null
                : (byte) expected.getInteger("small", 0));
    assertThat(root.getVector("label").getObject(r))
        .as(at)
        .isEqualTo(
            expected.getFieldRepetitionCount("label") == 0
                ? null
                : expected.getInteger("label", 0));
    assertThat(root.getVector("score").getObject(r))
        .as(at)
        .isEqualTo(expected.getDouble("score", 0));
    FixedSizeListVector image = (FixedSizeListVector) root.getVector("image");
    FixedSizeListVector vec = (FixedSizeListVector) root.getVector("vec");
    for (int k = 0; k < LIST; k++) {
      int want = expected.getGroup("image", 0).getGroup("list", k).getInteger("element", 0);
      assertThat(image.getDataVector().getObject(r * LIST + k)).as(at).isEqualTo((byte) want);
    }
    for (int k = 0; k < VEC; k++) {
      float want = expected.getGroup("vec", 0).getGroup("list", k).getFloat("element", 0);
      assertThat(vec.getDataVector().getObject(r * VEC + k)).as(at).isEqualTo(want);
    }
  }

  /**
   * Rows of a fixed-size list column that hold one element too few and one too many add up to the
   * chunk's expected value count, so only the repetition levels show them; pages of 3 rows make the
   * check span pages.
   */
  @ParameterizedTest(name = "writer = {0}")
  @EnumSource(WriterVersion.class)
  void aRowWithTheWrongElementCountIsRefusedNotShifted(WriterVersion version) throws IOException {
    MessageType parquet =
        MessageTypeParser.parseMessageType(
            "message m {\n"
                + "  optional group image (LIST) {\n"
                + "    repeated group list { optional int32 element (INTEGER(8,false)); }\n"
                + "  }\n"
                + "}");
    Schema arrowSchema = new Schema(List.of(list("image", LIST, new ArrowType.Int(8, false))));
    ByteBufferOutputFile out = new ByteBufferOutputFile(1 << 16);
    SimpleGroupFactory groups = new SimpleGroupFactory(parquet);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(out)
            .withType(parquet)
            .withWriterVersion(version)
            .withDictionaryEncoding(true)
            .withPageRowCountLimit(3)
            .withMinRowCountForPageSizeCheck(1)
            .build()) {
      for (int i = 0; i < 40; i++) {
        int elements = i == 20 ? LIST - 1 : i == 21 ? LIST + 1 : LIST;
        Group row = groups.newGroup();
        Group image = row.addGroup("image");
        for (int k = 0; k < elements; k++) {
          image.addGroup("list").append("element", (i + k) % 4);
        }
        writer.write(row);
      }
    }
    byte[] bytes = out.toByteArray();
    assertThatThrownBy(
            () -> {
              try (ParquetBatchReader reader =
                  new ParquetBatchReader(bytes, arrowSchema, arrow.allocator(), 0, -1, 1024)) {
                while (reader.next()) {
                  // reading is what fails
                }
              }
            })
        .hasStackTraceContaining("a row does not have exactly " + LIST + " elements");
  }

  @Test
  void decodesRleAndBitPackedRunsOfEveryWidth() {
    Random random = new Random(7);
    for (int bitWidth = 0; bitWidth <= 32; bitWidth++) {
      int[] values = new int[1000];
      long max = bitWidth == 32 ? 0xffffffffL : (1L << bitWidth) - 1;
      for (int i = 0; i < values.length; i++) {
        values[i] = i < 300 ? (int) (max / 2) : (int) (random.nextLong() & max);
      }
      ByteBuffer encoded = encode(values, bitWidth);
      int[] decoded = new int[values.length];
      RleHybridDecoder.decode(encoded, bitWidth, decoded, values.length);
      assertThat(decoded).as("bit width " + bitWidth).containsExactly(values);
      assertThat(encoded.hasRemaining()).isFalse();
    }
  }

  @Test
  void truncatedRunsAreReportedNotMisread() {
    ByteBuffer encoded = encode(new int[1000], 4);
    ByteBuffer cut = encoded.slice(0, 10);
    assertThatThrownBy(() -> RleHybridDecoder.decode(cut, 4, new int[1000], 1000))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Cannot decode RLE/bit-packed values");
  }

  /** RLE for the first 300 of 1,000 values (one run), bit-packed groups for the rest. */
  private static ByteBuffer encode(int[] values, int bitWidth) {
    ByteBuffer out = ByteBuffer.allocate(16 + values.length * 5);
    uleb(out, 300 << 1);
    for (int b = 0; b < (bitWidth + 7) / 8; b++) {
      out.put((byte) (values[0] >>> (8 * b)));
    }
    int rest = values.length - 300;
    int groups = (rest + 7) / 8;
    uleb(out, (groups << 1) | 1);
    long bits = 0;
    int filled = 0;
    for (int i = 0; i < groups * 8; i++) {
      long v = 300 + i < values.length ? values[300 + i] & 0xffffffffL : 0;
      bits |= v << filled;
      filled += bitWidth;
      while (filled >= 8) {
        out.put((byte) bits);
        bits >>>= 8;
        filled -= 8;
      }
    }
    out.flip();
    return out;
  }

  private static void uleb(ByteBuffer out, int value) {
    while ((value & ~0x7f) != 0) {
      out.put((byte) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    out.put((byte) value);
  }
}
