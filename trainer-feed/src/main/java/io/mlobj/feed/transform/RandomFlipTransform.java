package io.mlobj.feed.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.feed.FeedErrors;
import io.mlobj.feed.Transform;
import io.mlobj.feed.TransformContext;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * {@code {"op": "random_flip", "column": "image", "p": 0.5}}: mirrors each tensor along its last
 * axis (horizontal flip of {@code [C, H, W]}) with probability {@code p}, seeded by seed, epoch and
 * sample. In place; any fixed-width element type.
 */
final class RandomFlipTransform implements Transform {
  private final String column;
  private final double p;
  private int width;
  private int last;
  private int size;

  RandomFlipTransform(JsonNode spec) {
    this.column = Specs.column(spec);
    this.p = Specs.number(spec, "p", 0.5);
    if (p < 0 || p > 1) {
      throw FeedErrors.badTransform("random_flip", column, "'p' must be within [0, 1]");
    }
  }

  @Override
  public Field outputField(Field input) {
    FixedShapeTensorType tensor = Tensors.tensorType(input);
    if (tensor == null) {
      throw FeedErrors.badTransform(
          "random_flip", column, "it needs a tensor column, found " + input.getType());
    }
    int[] shape = tensor.shape();
    last = shape[shape.length - 1];
    size = tensor.size();
    width = Tensors.byteWidth(tensor.valueType());
    return input;
  }

  @Override
  public FieldVector apply(FieldVector input, TransformContext context) {
    ArrowBuf buf = Tensors.elements(input).getDataBuffer();
    int rows = input.getValueCount();
    byte[] row = new byte[size * width];
    byte[] tmp = new byte[width];
    for (int r = 0; r < rows; r++) {
      if (context.random(r).nextDouble() >= p) {
        continue;
      }
      long at = (long) r * size * width;
      buf.getBytes(at, row);
      for (int line = 0; line < size; line += last) {
        for (int i = line, j = line + last - 1; i < j; i++, j--) {
          System.arraycopy(row, i * width, tmp, 0, width);
          System.arraycopy(row, j * width, row, i * width, width);
          System.arraycopy(tmp, 0, row, j * width, width);
        }
      }
      buf.setBytes(at, row);
    }
    return input;
  }
}
