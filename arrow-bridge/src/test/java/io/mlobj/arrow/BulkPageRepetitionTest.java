package io.mlobj.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.AllocatorExtension;
import io.mlobj.internal.arrow.BulkPageDecoder;
import io.mlobj.internal.arrow.ByteArrayInputFile;
import io.mlobj.internal.arrow.ByteBufferOutputFile;
import io.mlobj.internal.arrow.ParquetBatchReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Repetition levels of a fixed-size list (tensor) column are checked as they are decoded, row
 * position carried from page to page: writers other than parquet-mr (pyarrow's V1 pages) may end a
 * page in the middle of a row. The pages here are hand-made so that they do, at every offset.
 */
class BulkPageRepetitionTest {
  private static final int ROWS = 40;
  private static final int[] PAGE_LEVELS = {7, 1, 11, 5, 3, 29, 2};
  private static final MessageType PARQUET =
      MessageTypeParser.parseMessageType(
          "message m {\n"
              + "  optional group vec (LIST) {\n"
              + "    repeated group list { required float element; }\n"
              + "  }\n"
              + "}");
  private static final ColumnDescriptor COLUMN = PARQUET.getColumns().get(0);

  private static Schema arrow(int per) {
    return new Schema(
        List.of(
            new Field(
                "vec",
                FieldType.nullable(new ArrowType.FixedSizeList(per)),
                List.of(
                    Field.nullable(
                        "element", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))))));
  }

  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();

  /** 5 elements: bit-packed level groups only; 40: long RLE runs of 1s as well. */
  @ParameterizedTest(name = "{0} elements per row")
  @ValueSource(ints = {5, 40})
  void decodesTensorRowsSplitAcrossPagesAtEveryOffset(int per) throws IOException {
    byte[] bytes = file(per, r -> per, Set.of());
    assertThat(bulkDecoderFor(per, bytes)).as("the bulk path reads this chunk").isTrue();
    for (int batchRows : new int[] {1, 3, ROWS}) {
      assertThat(read(per, bytes, batchRows))
          .as("batches of " + batchRows)
          .isEqualTo(expected(per, Set.of()));
    }
  }

  @ParameterizedTest(name = "{0} elements per row")
  @ValueSource(ints = {5, 40})
  void aRowWithTheWrongElementCountAcrossAPageBoundaryIsAnError(int per) throws IOException {
    // Row 1 ends one element early (its last element becomes row 2's first): the total count is
    // right, so only the repetition levels show it, in a later page than the row started in.
    byte[] shortRow = file(per, r -> r == 1 ? per - 1 : r == 2 ? per + 1 : per, Set.of());
    assertThat(bulkDecoderFor(per, shortRow)).isTrue();
    assertThatThrownBy(() -> read(per, shortRow, ROWS))
        .hasStackTraceContaining("a row does not have exactly " + per + " elements");
    byte[] longRow = file(per, r -> r == 1 ? per + 1 : r == 2 ? per - 1 : per, Set.of());
    assertThatThrownBy(() -> read(per, longRow, 3))
        .hasStackTraceContaining("a row does not have exactly " + per + " elements");
    // Ten one-element rows (an RLE run of row starts), then one long row makes up the count.
    byte[] ones = file(per, r -> r < 10 ? 1 : r == 10 ? 11 * per - 10 : per, Set.of());
    assertThat(bulkDecoderFor(per, ones)).isTrue();
    assertThatThrownBy(() -> read(per, ones, ROWS))
        .hasStackTraceContaining("a row does not have exactly " + per + " elements");
  }

  @Test
  void nullTensorRowsComeBackNullThroughTheColumnReaderPath() throws IOException {
    int per = 5;
    Set<Integer> nulls = Set.of(0, 9, 10, ROWS - 1);
    byte[] bytes = file(per, r -> per, nulls);
    assertThat(bulkDecoderFor(per, bytes))
        .as("statistics report nulls: not the bulk path")
        .isFalse();
    for (int batchRows : new int[] {1, 7, ROWS}) {
      assertThat(read(per, bytes, batchRows))
          .as("batches of " + batchRows)
          .isEqualTo(expected(per, nulls));
    }
  }

  private static List<List<Float>> expected(int per, Set<Integer> nulls) {
    List<List<Float>> rows = new ArrayList<>();
    for (int r = 0; r < ROWS; r++) {
      if (nulls.contains(r)) {
        rows.add(null);
        continue;
      }
      List<Float> row = new ArrayList<>();
      for (int k = 0; k < per; k++) {
        row.add((float) (r * per + k));
      }
      rows.add(row);
    }
    return rows;
  }

  private List<List<Float>> read(int per, byte[] bytes, int batchRows) throws IOException {
    List<List<Float>> rows = new ArrayList<>();
    try (ParquetBatchReader reader =
        new ParquetBatchReader(bytes, arrow(per), arrow.allocator(), 0, -1, batchRows)) {
      while (reader.next()) {
        FixedSizeListVector vec = (FixedSizeListVector) reader.root().getVector("vec");
        for (int r = 0; r < reader.root().getRowCount(); r++) {
          List<?> row = vec.getObject(r);
          rows.add(row == null ? null : row.stream().map(Float.class::cast).toList());
        }
      }
    }
    return rows;
  }

  private boolean bulkDecoderFor(int per, byte[] bytes) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(new ByteArrayInputFile(bytes));
        VectorSchemaRoot root = VectorSchemaRoot.create(arrow(per), arrow.allocator())) {
      var chunk = reader.getRowGroups().get(0).getColumns().get(0);
      PageReadStore pages = reader.readNextRowGroup();
      return BulkPageDecoder.forChunk(
              pages.getPageReader(COLUMN),
              COLUMN,
              chunk,
              pages.getRowCount(),
              root.getVector("vec"))
          != null;
    }
  }

  /**
   * One row group of {@link #ROWS} rows; row r holds {@code length(r)} elements numbered on from
   * {@code r * per} (so values and row counts match only when every length is per), or is null. Its
   * levels are cut into V1 pages of {@link #PAGE_LEVELS} levels in turn, ignoring rows.
   */
  private static byte[] file(int per, IntUnaryOperator length, Set<Integer> nulls)
      throws IOException {
    List<int[]> levels = new ArrayList<>(); // {repetition, definition}
    List<Float> values = new ArrayList<>();
    int next = 0;
    for (int r = 0; r < ROWS; r++) {
      if (nulls.contains(r)) {
        levels.add(new int[] {0, 0});
        next += per;
        continue;
      }
      for (int k = 0; k < length.applyAsInt(r); k++) {
        levels.add(new int[] {k == 0 ? 0 : 1, 2});
        values.add((float) next++);
      }
    }
    ByteBufferOutputFile out = new ByteBufferOutputFile(1 << 16);
    ParquetFileWriter writer =
        new ParquetFileWriter(out, PARQUET, ParquetFileWriter.Mode.CREATE, 1 << 20, 0);
    writer.start();
    writer.startBlock(ROWS);
    writer.startColumn(COLUMN, levels.size(), CompressionCodecName.UNCOMPRESSED);
    int from = 0;
    int valueFrom = 0;
    for (int p = 0; from < levels.size(); p++) {
      int to = Math.min(levels.size(), from + PAGE_LEVELS[p % PAGE_LEVELS.length]);
      Statistics<?> stats = Statistics.createStats(COLUMN.getPrimitiveType());
      ByteArrayOutputStream page = new ByteArrayOutputStream();
      page.write(prefixed(levels.subList(from, to), 0, 1));
      page.write(prefixed(levels.subList(from, to), 1, 2));
      ByteBuffer plain = ByteBuffer.allocate(4 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = from; i < to; i++) {
        if (levels.get(i)[1] == 2) {
          float v = values.get(valueFrom++);
          plain.putFloat(v);
          ((org.apache.parquet.column.statistics.FloatStatistics) stats).updateStats(v);
        } else {
          stats.incrementNumNulls();
        }
      }
      page.write(plain.array(), 0, plain.position());
      writer.writeDataPage(
          to - from,
          page.size(),
          BytesInput.from(page.toByteArray()),
          stats,
          Encoding.RLE,
          Encoding.RLE,
          Encoding.PLAIN);
      from = to;
    }
    writer.endColumn();
    writer.endBlock();
    writer.end(Map.of());
    return out.toByteArray();
  }

  /** One level stream of a V1 page: its byte length (little-endian int32), then RLE/bit-packed. */
  private static byte[] prefixed(List<int[]> levels, int which, int maxLevel) throws IOException {
    try (RunLengthBitPackingHybridEncoder rle =
        new RunLengthBitPackingHybridEncoder(
            32 - Integer.numberOfLeadingZeros(maxLevel),
            64,
            1 << 16,
            new HeapByteBufferAllocator())) {
      for (int[] level : levels) {
        rle.writeInt(level[which]);
      }
      byte[] body = rle.toBytes().toByteArray();
      return ByteBuffer.allocate(4 + body.length)
          .order(ByteOrder.LITTLE_ENDIAN)
          .putInt(body.length)
          .put(body)
          .array();
    }
  }
}
