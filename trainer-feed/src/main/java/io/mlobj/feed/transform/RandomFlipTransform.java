package io.mlobj.feed.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.feed.TransformContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * {@code {"op": "random_flip", "column": "image", "p": 0.5}}: mirrors each tensor along its last
 * axis (horizontal flip of {@code [C, H, W]}) with probability {@code p}, seeded by seed, epoch and
 * sample. In place; any fixed-width element type.
 */
final class RandomFlipTransform extends ColumnStep {
  private final double p;
  private int width;
  private int last;
  private int size;

  RandomFlipTransform(JsonNode spec) {
    super("random_flip", spec);
    this.p = Specs.number(spec, "p", 0.5);
    if (p < 0 || p > 1) {
      throw bad("'p' must be within [0, 1]");
    }
  }

  @Override
  public Field outputField(Field input) {
    FixedShapeTensorType tensor = requireTensor(input);
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
    int bytes = size * width;
    // Reversed on heap copies: bulk copies out and back beat element-wise ByteBuffer access.
    byte[] in = new byte[bytes];
    byte[] out = new byte[bytes];
    for (int r = 0; r < rows; r++) {
      if (context.random(r).nextDouble() >= p) {
        continue;
      }
      long offset = (long) r * bytes;
      buf.getBytes(offset, in, 0, bytes);
      reverseLines(in, out);
      buf.setBytes(offset, out, 0, bytes);
    }
    return input;
  }

  /** Copies {@code in} to {@code out} with the elements of every line of {@code last} reversed. */
  private void reverseLines(byte[] in, byte[] out) {
    int lineBytes = last * width;
    if (lineBytes % Long.BYTES == 0) {
      reverseLinesByWord(in, out, lineBytes);
      return;
    }
    for (int line = 0; line < in.length; line += lineBytes) {
      int end = line + lineBytes - width;
      for (int i = 0; i < last; i++) {
        int from = line + i * width;
        int to = end - i * width;
        for (int k = 0; k < width; k++) {
          out[to + k] = in[from + k];
        }
      }
    }
  }

  /**
   * Eight bytes at a time: a line's words in reverse order, each with its elements reversed
   * (elements never straddle words, as widths are 1, 2, 4 or 8 bytes). About 5x faster than the
   * element loop on uint8 images.
   */
  private void reverseLinesByWord(byte[] in, byte[] out, int lineBytes) {
    for (int line = 0; line < in.length; line += lineBytes) {
      int end = line + lineBytes - Long.BYTES;
      for (int i = 0; i < lineBytes; i += Long.BYTES) {
        long word = (long) LONGS.get(in, line + i);
        LONGS.set(out, end - i, reverseElements(word));
      }
    }
  }

  /** The elements of a little-endian word in reverse order. */
  private long reverseElements(long word) {
    return switch (width) {
      case 1 -> Long.reverseBytes(word);
      case 2 -> {
        long halves = Long.rotateLeft(word, 32);
        yield ((halves & 0x0000FFFF0000FFFFL) << 16) | ((halves >>> 16) & 0x0000FFFF0000FFFFL);
      }
      case 4 -> Long.rotateLeft(word, 32);
      default -> word;
    };
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
}
