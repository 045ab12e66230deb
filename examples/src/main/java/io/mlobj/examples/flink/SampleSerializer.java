package io.mlobj.examples.flink;

import io.mlobj.arrow.FixedShapeTensorVector;
import io.mlobj.examples.SyntheticImages;
import io.mlobj.flink.sink.ArrowRowSerializer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;

/**
 * Turns a sample id into a synthetic sample, written straight into Arrow vectors: the same shape as
 * {@link SyntheticImages} and the Spark example's output ({@code id}, {@code image} tensor
 * [3,32,32] as uint8 pixels or normalized float32, {@code label}, {@code split}). Columns the
 * target dataset lacks are skipped, so it fits either the raw or the preprocessed dataset. The
 * stream carries only {@code Long} ids: no custom types, no Kryo.
 */
record SampleSerializer(long seed, int valPercent) implements ArrowRowSerializer<Long> {
  private static final long serialVersionUID = 1L;
  private static final byte[] TRAIN = "train".getBytes(StandardCharsets.UTF_8);
  private static final byte[] VAL = "val".getBytes(StandardCharsets.UTF_8);

  @Override
  public void write(Long id, VectorSchemaRoot root, int row) {
    int label = SyntheticImages.label(id);
    if (root.getVector("id") instanceof BigIntVector ids) {
      ids.setSafe(row, id);
    }
    if (root.getVector("label") instanceof IntVector labels) {
      labels.setSafe(row, label);
    }
    if (root.getVector("split") instanceof VarCharVector split) {
      split.setSafe(row, Math.floorMod(id * 31 + 7, 100) < valPercent ? VAL : TRAIN);
    }
    if (root.getVector("image") instanceof FixedShapeTensorVector image) {
      writeImage(image.getUnderlyingVector(), row, id, label);
    }
  }

  private void writeImage(FixedSizeListVector image, int row, long id, int label) {
    int base = image.startNewValue(row);
    FieldVector values = image.getDataVector();
    SplittableRandom random = new SplittableRandom(seed * 1_000_003 + id);
    for (int c = 0; c < 3; c++) {
      int mean = 40 + 20 * ((label + c * 3) % 10);
      for (int p = 0; p < 1024; p++) {
        int pixel = Math.max(0, Math.min(255, mean + random.nextInt(-40, 41)));
        int index = base + c * 1024 + p;
        if (values instanceof UInt1Vector bytes) {
          bytes.setSafe(index, pixel);
        } else {
          ((Float4Vector) values).setSafe(index, (pixel / 255f - 0.5f) / 0.5f);
        }
      }
    }
  }
}
