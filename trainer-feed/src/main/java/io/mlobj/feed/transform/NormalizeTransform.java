package io.mlobj.feed.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.feed.TransformContext;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * {@code {"op": "normalize", "column": "image", "mean": [0.49, 0.48, 0.45], "std": [0.25, 0.24,
 * 0.26]}}: {@code (x - mean[c]) / std[c]} per channel of a float32 tensor, channels first ({@code
 * "channels_last": true} for HWC). One value applies to every channel. In place.
 */
final class NormalizeTransform extends ColumnStep {
  private final float[] mean;
  private final float[] std;
  private final boolean channelsLast;
  private int channels;
  private int size;

  NormalizeTransform(JsonNode spec) {
    super("normalize", spec);
    this.mean = Specs.floats(spec, "mean");
    this.std = Specs.floats(spec, "std");
    this.channelsLast = spec.path("channels_last").asBoolean(false);
    for (float s : std) {
      if (s == 0f) {
        throw bad("'std' must not contain 0");
      }
    }
  }

  @Override
  public Field outputField(Field input) {
    FixedShapeTensorType tensor = Tensors.tensorType(input);
    if (tensor == null || !Tensors.FLOAT32.equals(tensor.valueType())) {
      throw bad(
          "it needs a float32 tensor, the column is "
              + Tensors.describe(input)
              + " (cast it first: {\"op\": \"cast\", \"column\": \""
              + column
              + "\", \"to\": \"float32\"} before it)");
    }
    int[] shape = tensor.shape();
    channels = channelsLast ? shape[shape.length - 1] : shape[0];
    size = tensor.size();
    for (float[] values : new float[][] {mean, std}) {
      if (values.length != 1 && values.length != channels) {
        throw bad(
            "mean and std need 1 or "
                + channels
                + " values (the tensor has "
                + channels
                + " channels), got "
                + values.length);
      }
    }
    return input;
  }

  @Override
  public FieldVector apply(FieldVector input, TransformContext context) {
    ArrowBuf buf = Tensors.elements(input).getDataBuffer();
    int rows = input.getValueCount();
    float[][] ab = coefficients(1f);
    float[] a = ab[0];
    float[] b = ab[1];
    float[] row = new float[size];
    for (int r = 0; r < rows; r++) {
      long base = (long) r * size;
      Tensors.readFloats(buf, Tensors.FLOAT32, base, row);
      affine(row, a, b);
      Tensors.writeFloats(buf, base, row);
    }
    return input;
  }

  /** Tensor elements per sample. */
  int size() {
    return size;
  }

  /**
   * Per channel {@code {a, b}} with {@code (x * scale - mean[c]) / std[c] = x * a[c] + b[c]}: this
   * step after a multiplication by {@code scale} (1 alone, a cast's scale when fused with it).
   */
  float[][] coefficients(float scale) {
    float[] a = new float[channels];
    float[] b = new float[channels];
    for (int c = 0; c < channels; c++) {
      float inverseStd = 1f / (std.length == 1 ? std[0] : std[c]);
      a[c] = scale * inverseStd;
      b[c] = -(mean.length == 1 ? mean[0] : mean[c]) * inverseStd;
    }
    return new float[][] {a, b};
  }

  /** {@code row[k] = row[k] * a[c] + b[c]} with {@code c} the channel of element {@code k}. */
  void affine(float[] row, float[] a, float[] b) {
    if (channelsLast) {
      for (int k = 0; k < size; k++) {
        int c = k % channels;
        row[k] = row[k] * a[c] + b[c];
      }
      return;
    }
    int perChannel = size / channels;
    for (int c = 0; c < channels; c++) {
      float ac = a[c];
      float bc = b[c];
      for (int k = c * perChannel, end = k + perChannel; k < end; k++) {
        row[k] = row[k] * ac + bc;
      }
    }
  }
}
