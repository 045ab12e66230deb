package io.mlobj.feed.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.FixedShapeTensorVector;
import io.mlobj.feed.transform.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.NullableStructWriter;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.complex.impl.UnionMapWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Gathering tensor rows from several blocks into a batch, including null rows. */
class GatherTest {
  private static final int SIZE = 6;

  @Test
  void tensorRowsAreCopiedFromTheirBlocksAndNullRowsStayNullAndZero() {
    FixedShapeTensorType.ensureRegistered();
    Field field = FixedShapeTensorType.field("t", new ArrowType.Int(8, false), 2, 3);
    Schema schema = new Schema(List.of(field));
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot a = block(allocator, schema, 10, 1);
        VectorSchemaRoot b = block(allocator, schema, 50, -1)) {
      // Rows: a[2], b[0], a[1] (null in a), b[3].
      List<FieldVector> out =
          Gather.rows(
              schema,
              new VectorSchemaRoot[] {a, b},
              new int[] {0, 1, 0, 1},
              new int[] {2, 0, 1, 3},
              allocator);
      try {
        FieldVector t = out.get(0);
        ArrowBuf data = Tensors.elements(t).getDataBuffer();
        int[][] expected = {{10, 2}, {50, 0}, null, {50, 3}};
        for (int r = 0; r < 4; r++) {
          assertThat(t.isNull(r)).as("row %d null", r).isEqualTo(expected[r] == null);
          for (int k = 0; k < SIZE; k++) {
            int value = Byte.toUnsignedInt(data.getByte((long) r * SIZE + k));
            int want = expected[r] == null ? 0 : expected[r][0] + expected[r][1] * SIZE + k;
            assertThat(value).as("row %d element %d", r, k).isEqualTo(want);
          }
        }
      } finally {
        out.forEach(FieldVector::close);
      }
    }
  }

  @Test
  void threadsGatheringListRowsFromTheSameBlockAtOnceEachGetTheirOwnRows() throws Exception {
    // Decoded blocks are shared by every stream and preparing thread; Arrow copies list values
    // through a reader cached on the source vector, which is not safe to share between threads.
    Field field =
        new Field(
            "tags",
            FieldType.nullable(new ArrowType.List()),
            List.of(Field.nullable("item", new ArrowType.Int(32, true))));
    Schema schema = new Schema(List.of(field));
    int rows = 512;
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot block = VectorSchemaRoot.create(schema, allocator)) {
      UnionListWriter writer = ((ListVector) block.getVector(0)).getWriter();
      for (int r = 0; r < rows; r++) {
        writer.setPosition(r);
        writer.startList();
        for (int k = 0; k < r % 7; k++) {
          writer.writeInt(r * 10 + k);
        }
        writer.endList();
      }
      block.setRowCount(rows);
      gatherAtOnceFromOneBlock(
          block,
          rows,
          r -> {
            List<Integer> expected = new ArrayList<>();
            for (int k = 0; k < r % 7; k++) {
              expected.add(r * 10 + k);
            }
            return expected;
          },
          "list");
    }
  }

  /** Nested types other than list: each copied through a reader cached on its vector too. */
  static List<String> nestedTypes() {
    return List.of("struct", "map", "fixed-size list of strings");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nestedTypes")
  void threadsGatheringNestedRowsFromTheSameBlockAtOnceEachGetTheirOwnRows(String type)
      throws Exception {
    int rows = 512;
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot block = nestedBlock(allocator, type, rows)) {
      List<Object> expected = new ArrayList<>();
      for (int r = 0; r < rows; r++) {
        expected.add(block.getVector(0).getObject(r));
      }
      gatherAtOnceFromOneBlock(block, rows, expected::get, type);
    }
  }

  /**
   * Four threads each gather 200 times 64 random rows of {@code block}'s one column at once, and
   * check every gathered row against {@code expected} of its source row.
   */
  private static void gatherAtOnceFromOneBlock(
      VectorSchemaRoot block, int rows, IntFunction<Object> expected, String type)
      throws Exception {
    Schema schema = block.getSchema();
    BufferAllocator allocator = block.getVector(0).getAllocator();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> gathers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        gathers.add(
            threads.submit(
                () -> {
                  java.util.Random random = new java.util.Random(seed);
                  for (int round = 0; round < 200; round++) {
                    int[] row = random.ints(64, 0, rows).toArray();
                    List<FieldVector> out =
                        Gather.rows(
                            schema,
                            new VectorSchemaRoot[] {block},
                            new int[row.length],
                            row,
                            allocator);
                    try {
                      for (int i = 0; i < row.length; i++) {
                        assertThat(out.get(0).getObject(i))
                            .as("%s row %d", type, row[i])
                            .isEqualTo(expected.apply(row[i]));
                      }
                    } finally {
                      out.forEach(FieldVector::close);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> gather : gathers) {
        gather.get();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /** A block of one nested column whose row r holds values derived from r (r % 5 items). */
  private static VectorSchemaRoot nestedBlock(BufferAllocator allocator, String type, int rows) {
    Field int32 = Field.nullable("item", new ArrowType.Int(32, true));
    Field field =
        switch (type) {
          case "struct" ->
              new Field(
                  "s",
                  FieldType.nullable(ArrowType.Struct.INSTANCE),
                  List.of(
                      Field.nullable("n", new ArrowType.Int(32, true)),
                      new Field("tags", FieldType.nullable(new ArrowType.List()), List.of(int32))));
          case "map" ->
              new Field(
                  "m",
                  FieldType.nullable(new ArrowType.Map(false)),
                  List.of(
                      new Field(
                          "entries",
                          FieldType.notNullable(ArrowType.Struct.INSTANCE),
                          List.of(
                              Field.notNullable("key", new ArrowType.Int(32, true)),
                              Field.nullable("value", new ArrowType.Int(32, true))))));
          default ->
              new Field(
                  "f",
                  FieldType.nullable(new ArrowType.FixedSizeList(2)),
                  List.of(Field.nullable("item", new ArrowType.Utf8())));
        };
    VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(List.of(field)), allocator);
    FieldVector v = root.getVector(0);
    if (v instanceof StructVector struct) {
      NullableStructWriter w = struct.getWriter();
      for (int r = 0; r < rows; r++) {
        w.setPosition(r);
        w.start();
        w.integer("n").writeInt(r);
        var tags = w.list("tags");
        tags.startList();
        for (int k = 0; k < r % 5; k++) {
          tags.integer().writeInt(r * 10 + k);
        }
        tags.endList();
        w.end();
      }
    } else if (v instanceof MapVector map) {
      UnionMapWriter w = map.getWriter();
      for (int r = 0; r < rows; r++) {
        w.setPosition(r);
        w.startMap();
        for (int k = 0; k < r % 5; k++) {
          w.startEntry();
          w.key().integer().writeInt(k);
          w.value().integer().writeInt(r * 10 + k);
          w.endEntry();
        }
        w.endMap();
      }
    } else {
      FixedSizeListVector list = (FixedSizeListVector) v;
      list.allocateNew();
      VarCharVector items = (VarCharVector) list.getDataVector();
      for (int r = 0; r < rows; r++) {
        int at = list.startNewValue(r);
        for (int k = 0; k < 2; k++) {
          items.setSafe(at + k, ("s" + r + "x".repeat(r % 5) + k).getBytes(UTF_8));
        }
      }
      items.setValueCount(rows * 2);
    }
    root.setRowCount(rows);
    return root;
  }

  /**
   * Four rows whose element k of row r is {@code base + r * SIZE + k}; row {@code nullRow} null.
   */
  private static VectorSchemaRoot block(
      BufferAllocator allocator, Schema schema, int base, int nullRow) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    FixedSizeListVector list = ((FixedShapeTensorVector) root.getVector(0)).getUnderlyingVector();
    list.setInitialCapacity(4);
    list.allocateNew();
    for (int r = 0; r < 4; r++) {
      if (r == nullRow) {
        list.setNull(r);
        continue;
      }
      list.startNewValue(r);
    }
    list.getDataVector().setValueCount(4 * SIZE);
    ArrowBuf data = Tensors.elements(root.getVector(0)).getDataBuffer();
    for (int r = 0; r < 4; r++) {
      for (int k = 0; k < SIZE; k++) {
        data.setByte((long) r * SIZE + k, base + r * SIZE + k);
      }
    }
    for (int i = 0; i < 4 * SIZE; i++) {
      org.apache.arrow.vector.BitVectorHelper.setBit(list.getDataVector().getValidityBuffer(), i);
    }
    root.setRowCount(4);
    return root;
  }
}
