package io.mlobj.feed.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.feed.TransformContext;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * {@code {"op": "cast", "column": "image", "to": "float32", "scale": 0.0039215686}}: converts a
 * numeric tensor or scalar column (uint8, int8..int64, float64) to float32, multiplying by {@code
 * scale} (default 1).
 */
final class CastTransform extends ColumnStep {
  private final float scale;
  private ArrowType source;

  CastTransform(JsonNode spec) {
    super("cast", spec);
    String to = spec.path("to").asText("float32");
    if (!to.equals("float32")) {
      throw bad("'to' must be float32, got '" + to + "'");
    }
    this.scale = (float) Specs.number(spec, "scale", 1.0);
  }

  @Override
  public Field outputField(Field input) {
    FixedShapeTensorType tensor = Tensors.tensorType(input);
    source = tensor != null ? tensor.valueType() : input.getType();
    if (!Tensors.isNumeric(source)) {
      throw bad("the column holds " + Tensors.describe(input) + ", not numbers or numeric tensors");
    }
    return tensor != null
        ? Tensors.tensorField(input.getName(), Tensors.FLOAT32, tensor.shape())
        : Tensors.scalar(input.getName(), Tensors.FLOAT32);
  }

  /** The input's value type (known once {@link #outputField} ran). */
  ArrowType source() {
    return source;
  }

  /** The factor every value is multiplied by. */
  float scale() {
    return scale;
  }

  /** A float32 tensor vector for the cast of a tensor column (values not set yet). */
  FieldVector allocateOutput(FieldVector input, TransformContext context) {
    FixedShapeTensorType tensor = Tensors.tensorType(input.getField());
    return Tensors.allocateForOverwrite(
        Tensors.tensorField(input.getName(), Tensors.FLOAT32, tensor.shape()),
        input.getValueCount(),
        context.allocator());
  }

  @Override
  public FieldVector apply(FieldVector input, TransformContext context) {
    int rows = input.getValueCount();
    BaseFixedWidthVector from;
    BaseFixedWidthVector to;
    FieldVector out;
    if (Tensors.tensorType(input.getField()) != null) {
      out = allocateOutput(input, context);
      from = Tensors.elements(input);
      to = Tensors.elements(out);
    } else {
      Float4Vector f = new Float4Vector(input.getName(), context.allocator());
      f.allocateNew(Math.max(1, rows));
      for (int i = 0; i < rows; i++) {
        if (!input.isNull(i)) {
          f.set(i, 0f);
        }
      }
      f.setValueCount(rows);
      out = f;
      from = (BaseFixedWidthVector) input;
      to = f;
    }
    convert(from.getDataBuffer(), to.getDataBuffer(), from.getValueCount());
    return out;
  }

  private void convert(ArrowBuf in, ArrowBuf out, int n) {
    // Chunks of 64 Ki elements: bulk reads and writes, a tight loop in between.
    float[] chunk = new float[Math.min(n, 1 << 16)];
    for (int from = 0; from < n; from += chunk.length) {
      float[] part = n - from >= chunk.length ? chunk : new float[n - from];
      Tensors.readFloats(in, source, from, part);
      if (scale != 1f) {
        for (int i = 0; i < part.length; i++) {
          part[i] *= scale;
        }
      }
      Tensors.writeFloats(out, from, part);
    }
  }
}
