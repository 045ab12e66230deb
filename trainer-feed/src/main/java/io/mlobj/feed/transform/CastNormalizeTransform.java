package io.mlobj.feed.transform;

import io.mlobj.feed.Transform;
import io.mlobj.feed.TransformContext;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
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

  CastNormalizeTransform(CastTransform cast, NormalizeTransform normalize) {
    this.cast = cast;
    this.normalize = normalize;
  }

  /**
   * Whether two compiled steps on one column can run fused: a cast, then normalize of its output
   * {@code castOutput} (a tensor: normalize accepts nothing else, so the cast's input was one).
   */
  static boolean fusable(Transform first, Transform second, Field castOutput) {
    return first instanceof CastTransform
        && second instanceof NormalizeTransform
        && Tensors.tensorType(castOutput) != null;
  }

  @Override
  public Field outputField(Field input) {
    return normalize.outputField(cast.outputField(input));
  }

  @Override
  public FieldVector apply(FieldVector input, TransformContext context) {
    FieldVector out = cast.allocateOutput(input, context);
    ArrowBuf in = Tensors.elements(input).getDataBuffer();
    ArrowBuf buf = Tensors.elements(out).getDataBuffer();
    int rows = input.getValueCount();
    int size = normalize.size();
    float[][] ab = normalize.coefficients(cast.scale());
    float[] a = ab[0];
    float[] b = ab[1];
    float[] row = new float[size];
    for (int r = 0; r < rows; r++) {
      long base = (long) r * size;
      Tensors.readFloats(in, cast.source(), base, row);
      normalize.affine(row, a, b);
      Tensors.writeFloats(buf, base, row);
    }
    return out;
  }
}
