package io.mlobj.feed;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.FixedShapeTensorVector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Image-like datasets for feed tests: {@code id} int64 (the global index), {@code image}
 * uint8[3,h,w] whose pixels derive from the id, {@code label} int32 = id % 10, {@code name} utf8,
 * {@code tokens} list&lt;int32&gt; of id % 5 items, {@code split} "train" / "test" (every 4th).
 */
public final class FeedTestData {
  private FeedTestData() {}

  public static Schema schema(int h, int w) {
    return new Schema(
        List.of(
            Field.notNullable("id", new ArrowType.Int(64, true)),
            FixedShapeTensorType.field("image", new ArrowType.Int(8, false), 3, h, w),
            Field.nullable("label", new ArrowType.Int(32, true)),
            Field.nullable("name", new ArrowType.Utf8()),
            new Field(
                "tokens",
                FieldType.nullable(new ArrowType.List()),
                List.of(Field.nullable("item", new ArrowType.Int(32, true)))),
            Field.nullable("split", new ArrowType.Utf8())));
  }

  /**
   * Appends, for each row of a batch of this schema, its id to {@code ids} and the pixel at (c, y,
   * x) of its image to {@code pixels}.
   */
  public static void collectPixels(
      VectorSchemaRoot root, int c, int y, int x, List<Long> ids, List<Integer> pixels) {
    BigIntVector id = (BigIntVector) root.getVector("id");
    ExtensionTypeVector<?> image = (ExtensionTypeVector<?>) root.getVector("image");
    int[] shape = FixedShapeTensorType.of(image.getField()).shape();
    int h = shape[1];
    int w = shape[2];
    UInt1Vector values =
        (UInt1Vector) ((FixedSizeListVector) image.getUnderlyingVector()).getDataVector();
    for (int i = 0; i < root.getRowCount(); i++) {
      ids.add(id.get(i));
      pixels.add(values.get(i * 3 * h * w + c * h * w + y * w + x) & 0xff);
    }
  }

  /**
   * Rows of a batch of this schema whose columns (every pixel, label, name, tokens and split) are
   * not the ones {@link #batch} derives from their id, each described with what it got and what it
   * should have: empty when every row is right.
   */
  public static List<String> rowsNotMatchingTheirIds(VectorSchemaRoot root) {
    BigIntVector id = (BigIntVector) root.getVector("id");
    ExtensionTypeVector<?> image = (ExtensionTypeVector<?>) root.getVector("image");
    int[] shape = FixedShapeTensorType.of(image.getField()).shape();
    int h = shape[1];
    int w = shape[2];
    UInt1Vector pixels =
        (UInt1Vector) ((FixedSizeListVector) image.getUnderlyingVector()).getDataVector();
    IntVector label = (IntVector) root.getVector("label");
    VarCharVector name = (VarCharVector) root.getVector("name");
    ListVector tokens = (ListVector) root.getVector("tokens");
    VarCharVector split = (VarCharVector) root.getVector("split");
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < root.getRowCount(); i++) {
      long sample = id.get(i);
      StringBuilder got = new StringBuilder();
      StringBuilder expected = new StringBuilder();
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            got.append(pixels.get(i * 3 * h * w + c * h * w + y * w + x) & 0xff).append(',');
            expected.append(pixel(sample, c, y, x)).append(',');
          }
        }
      }
      List<Integer> expectedTokens = new ArrayList<>();
      for (int t = 0; t < sample % 5; t++) {
        expectedTokens.add((int) sample * 10 + t);
      }
      got.append(' ')
          .append(label.get(i))
          .append(' ')
          .append(name.getObject(i))
          .append(' ')
          .append(tokens.isNull(i) ? null : new ArrayList<>(tokens.getObject(i)))
          .append(' ')
          .append(split.getObject(i));
      expected
          .append(' ')
          .append(sample % 10)
          .append(" s")
          .append(sample)
          .append(' ')
          .append(expectedTokens)
          .append(' ')
          .append(sample % 4 == 0 ? "test" : "train");
      if (!got.toString().equals(expected.toString())) {
        wrong.add("sample " + sample + ": got " + got + ", expected " + expected);
      }
    }
    return wrong;
  }

  /** Pixel value of sample {@code id} at (c, y, x). */
  public static int pixel(long id, int c, int y, int x) {
    return (int) ((id * 7 + c * 31 + y * 5 + x) & 0xff);
  }

  /**
   * Creates a dataset of {@code shards} shards, each written as {@code batchesPerShard} record
   * batches of {@code rowsPerBatch} rows (Arrow IPC keeps them; Parquet cuts row groups at the 1
   * KiB target, so a row group per row of images). Returns the number of rows.
   */
  public static long create(
      String uri,
      Map<String, String> conf,
      BufferAllocator allocator,
      ShardFormat format,
      int shards,
      int batchesPerShard,
      int rowsPerBatch,
      int h,
      int w) {
    return create(uri, conf, allocator, format, shards, batchesPerShard, rowsPerBatch, h, w, 1024);
  }

  /** As above, with the writer's target row group size ({@code rowGroupBytes}). */
  public static long create(
      String uri,
      Map<String, String> conf,
      BufferAllocator allocator,
      ShardFormat format,
      int shards,
      int batchesPerShard,
      int rowsPerBatch,
      int h,
      int w,
      long rowGroupBytes) {
    Schema schema = schema(h, w);
    Dataset dataset = Dataset.create(uri, conf, schema, List.of(), Map.of());
    List<Shard> written = new ArrayList<>();
    long id = 0;
    for (int s = 0; s < shards; s++) {
      try (DatasetWriter writer =
          dataset
              .newWriter(schema)
              .format(format)
              .rowGroupBytes(rowGroupBytes)
              .targetShardBytes(1L << 40)
              .build(allocator)) {
        for (int b = 0; b < batchesPerShard; b++) {
          try (VectorSchemaRoot batch = batch(allocator, schema, id, rowsPerBatch, h, w)) {
            writer.write(batch);
          }
          id += rowsPerBatch;
        }
        written.addAll(writer.complete());
      }
    }
    dataset.newAppend().addShards(written).commit();
    return id;
  }

  static VectorSchemaRoot batch(
      BufferAllocator allocator, Schema schema, long start, int rows, int h, int w) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    root.allocateNew();
    FixedSizeListVector image =
        ((FixedShapeTensorVector) root.getVector("image")).getUnderlyingVector();
    ListVector tokens = (ListVector) root.getVector("tokens");
    for (int i = 0; i < rows; i++) {
      long id = start + i;
      ((BigIntVector) root.getVector("id")).setSafe(i, id);
      int base = image.startNewValue(i);
      UInt1Vector px = (UInt1Vector) image.getDataVector();
      int k = 0;
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            px.setSafe(base + k++, pixel(id, c, y, x));
          }
        }
      }
      ((IntVector) root.getVector("label")).setSafe(i, (int) (id % 10));
      ((VarCharVector) root.getVector("name"))
          .setSafe(i, ("s" + id).getBytes(StandardCharsets.UTF_8));
      int offset = tokens.startNewValue(i);
      int n = (int) (id % 5);
      for (int t = 0; t < n; t++) {
        ((IntVector) tokens.getDataVector()).setSafe(offset + t, (int) id * 10 + t);
      }
      tokens.endValue(i, n);
      ((VarCharVector) root.getVector("split"))
          .setSafe(i, (id % 4 == 0 ? "test" : "train").getBytes(StandardCharsets.UTF_8));
    }
    root.setRowCount(rows);
    return root;
  }
}
