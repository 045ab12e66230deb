package io.mlobj.feed.transform;

import io.mlobj.feed.Transform;
import io.mlobj.feed.TransformContext;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * A {@code cast} to float32 directly followed by a {@code normalize} of the same tensor column, run
 * as one pass: {@code x * scale / std[c] - mean[c] / std[c]}, the same result up to float rounding.
 * The pipeline fuses the two steps so each sample's floats are written once, not written, read back
 * and written again (the server's largest per-sample cost with float32 output).
 */
final class CastNormalizeTransform implements Transform {
  private final CastTransform cast;
  private final NormalizeTransform normalize;
  private ArrowType source;

  CastNormalizeTransform(CastTransform cast, NormalizeTransform normalize) {
    this.cast = cast;
    this.normalize = normalize;
  }

  /** Whether the two steps can run fused: a cast of a tensor, then normalize of its output. */
  static boolean fusable(Transform first, Transform second, Field input) {
    return first instanceof CastTransform
        && second instanceof NormalizeTransform
        && Tensors.tensorType(input) != null;
  }

  @Override
  public Field outputField(Field input) {
    source = Tensors.tensorType(input).valueType();
    return normalize.outputField(cast.outputField(input));
  }

  @Override
  public FieldVector apply(FieldVector input, TransformContext context) {
    FieldVector out = cast.allocateOutput(input, context);
    ArrowBuf in = Tensors.elements(input).getDataBuffer();
    ArrowBuf buf = Tensors.elements(out).getDataBuffer();
    int rows = input.getValueCount();
    int size = normalize.size();
    float[] a = new float[normalize.channels()];
    float[] b = new float[a.length];
    for (int c = 0; c < a.length; c++) {
      a[c] = cast.scale() * normalize.inverseStd(c);
      b[c] = -normalize.mean(c) * normalize.inverseStd(c);
    }
    float[] row = new float[size];
    for (int r = 0; r < rows; r++) {
      long base = (long) r * size;
      Tensors.readFloats(in, source, base, row);
      normalize.affine(row, a, b);
      Tensors.writeFloats(buf, base, row);
    }
    return out;
  }
}
