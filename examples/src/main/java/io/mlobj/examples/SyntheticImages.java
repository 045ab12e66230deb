package io.mlobj.examples;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.ShardFormat;
import io.mlobj.Snapshot;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.FixedShapeTensorVector;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes a synthetic, image-like raw dataset: {@code id}, {@code image} (uint8 tensor [3,32,32])
 * and {@code label} (0-9). Each class has its own mean colour plus noise, so a small CNN can learn
 * it in one epoch — enough to show a real loss going down in the quickstart.
 */
public final class SyntheticImages {
  /** Channels, height, width. */
  public static final int[] SHAPE = {3, 32, 32};

  /** Pixels per image. */
  public static final int PIXELS = 3 * 32 * 32;

  private SyntheticImages() {}

  /** The raw schema. */
  public static Schema schema() {
    return new Schema(
        List.of(
            Field.notNullable("id", new ArrowType.Int(64, true)),
            FixedShapeTensorType.field("image", new ArrowType.Int(8, false), SHAPE),
            Field.notNullable("label", new ArrowType.Int(32, true))));
  }

  /** The label of sample {@code id} (deterministic). */
  public static int label(long id) {
    return (int) Math.floorMod(id * 7919, 10);
  }

  /** Fills {@code root} with samples {@code first .. first+rows-1}. */
  public static void fill(VectorSchemaRoot root, long first, int rows, long seed) {
    root.allocateNew();
    BigIntVector ids = (BigIntVector) root.getVector("id");
    IntVector labels = (IntVector) root.getVector("label");
    FixedSizeListVector images =
        ((FixedShapeTensorVector) root.getVector("image")).getUnderlyingVector();
    UInt1Vector pixels = (UInt1Vector) images.getDataVector();
    for (int r = 0; r < rows; r++) {
      long id = first + r;
      int label = label(id);
      SplittableRandom random = new SplittableRandom(seed * 1_000_003 + id);
      ids.setSafe(r, id);
      labels.setSafe(r, label);
      int base = images.startNewValue(r);
      for (int c = 0; c < 3; c++) {
        int mean = 40 + 20 * ((label + c * 3) % 10);
        for (int p = 0; p < 1024; p++) {
          int value = mean + random.nextInt(-40, 41);
          pixels.setSafe(base + c * 1024 + p, Math.max(0, Math.min(255, value)));
        }
      }
    }
    root.setRowCount(rows);
  }

  /** Creates (or appends to) a raw dataset of {@code samples} images; returns its new version. */
  public static Snapshot write(String uri, Map<String, String> conf, int samples, long seed) {
    Dataset dataset = Dataset.at(uri, conf);
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema(), allocator);
        DatasetWriter writer =
            dataset
                .newWriter(schema())
                .format(ShardFormat.PARQUET)
                .targetShardBytes(8L << 20)
                .build(allocator)) {
      int batch = 2048;
      for (long first = 0; first < samples; first += batch) {
        int rows = (int) Math.min(batch, samples - first);
        fill(root, first, rows, seed);
        writer.write(root);
        root.clear();
      }
      return dataset
          .newAppend()
          .schema(schema())
          .addShards(writer.complete())
          .summary("generator", "SyntheticImages seed=" + seed)
          .engine("mlobj-examples", null)
          .commit();
    }
  }
}
