package io.mlobj.feed.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.feed.TransformContext;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * {@code {"op": "random_crop", "column": "image", "size": [28, 28], "padding": 4}}: crops each
 * {@code [C, H, W]} tensor at a random offset (seeded by seed, epoch and sample), after zero
 * padding of {@code padding} pixels on every side. Any fixed-width element type.
 */
final class RandomCropTransform extends TensorOutputStep {
  private final int[] size;
  private final int padding;
  private int[] shape;
  private int width;

  RandomCropTransform(JsonNode spec) {
    super("random_crop", spec);
    this.size = Specs.ints(spec, "size", true);
    this.padding = (int) Specs.number(spec, "padding", 0);
    if (size.length != 2 || padding < 0) {
      throw bad("'size' must be [height, width] and 'padding' >= 0");
    }
  }

  @Override
  public Field outputField(Field input) {
    FixedShapeTensorType tensor = Tensors.tensorType(input);
    if (tensor == null || tensor.shape().length != 3) {
      throw bad("it needs a [C, H, W] tensor column, found " + Tensors.describe(input));
    }
    shape = tensor.shape();
    if (size[0] > shape[1] + 2 * padding || size[1] > shape[2] + 2 * padding) {
      throw bad(
          "crop "
              + Arrays.toString(size)
              + " is larger than the padded image "
              + Arrays.toString(shape));
    }
    width = Tensors.byteWidth(tensor.valueType());
    return declare(
        Tensors.tensorField(input.getName(), tensor.valueType(), shape[0], size[0], size[1]));
  }

  @Override
  public FieldVector apply(FieldVector input, TransformContext context) {
    int rows = input.getValueCount();
    FieldVector out = newOutput(rows, context);
    ArrowBuf src = Tensors.elements(input).getDataBuffer();
    ArrowBuf dst = Tensors.elements(out).getDataBuffer();
    int c = shape[0];
    int h = shape[1];
    int w = shape[2];
    int ch = size[0];
    int cw = size[1];
    for (int r = 0; r < rows; r++) {
      SplittableRandom rng = context.random(r);
      int top = rng.nextInt(h + 2 * padding - ch + 1) - padding;
      int left = rng.nextInt(w + 2 * padding - cw + 1) - padding;
      int x0 = Math.max(0, left);
      int x1 = Math.min(w, left + cw);
      if (x1 <= x0) {
        continue;
      }
      for (int k = 0; k < c; k++) {
        for (int y = 0; y < ch; y++) {
          int sy = top + y;
          if (sy < 0 || sy >= h) {
            continue; // zero padding
          }
          long from = (((long) r * c + k) * h + sy) * w + x0;
          long to = (((long) r * c + k) * ch + y) * cw + (x0 - left);
          dst.setBytes(to * width, src, from * width, (long) (x1 - x0) * width);
        }
      }
    }
    return out;
  }
}
