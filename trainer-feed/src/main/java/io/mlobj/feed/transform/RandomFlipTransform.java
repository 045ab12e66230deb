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
    for (int r = 0; r < rows; r++) {
      if (context.random(r).nextDouble() >= p) {
        continue;
      }
      java.nio.ByteBuffer bytes =
          buf.nioBuffer((long) r * size * width, size * width)
              .order(java.nio.ByteOrder.LITTLE_ENDIAN);
      // Reverse each line in a typed view: one element move per element, no per-byte work.
      switch (width) {
        case 1 -> reverseLines(bytes, size);
        case 2 -> reverseLines(bytes.asShortBuffer(), size);
        case 4 -> reverseLines(bytes.asIntBuffer(), size);
        default -> reverseLines(bytes.asLongBuffer(), size);
      }
    }
    return input;
  }

  private void reverseLines(java.nio.ByteBuffer b, int n) {
    for (int line = 0; line < n; line += last) {
      for (int i = line, j = line + last - 1; i < j; i++, j--) {
        byte t = b.get(i);
        b.put(i, b.get(j));
        b.put(j, t);
      }
    }
  }

  private void reverseLines(java.nio.ShortBuffer b, int n) {
    for (int line = 0; line < n; line += last) {
      for (int i = line, j = line + last - 1; i < j; i++, j--) {
        short t = b.get(i);
        b.put(i, b.get(j));
        b.put(j, t);
      }
    }
  }

  private void reverseLines(java.nio.IntBuffer b, int n) {
    for (int line = 0; line < n; line += last) {
      for (int i = line, j = line + last - 1; i < j; i++, j--) {
        int t = b.get(i);
        b.put(i, b.get(j));
        b.put(j, t);
      }
    }
  }

  private void reverseLines(java.nio.LongBuffer b, int n) {
    for (int line = 0; line < n; line += last) {
      for (int i = line, j = line + last - 1; i < j; i++, j--) {
        long t = b.get(i);
        b.put(i, b.get(j));
        b.put(j, t);
      }
    }
  }
}
