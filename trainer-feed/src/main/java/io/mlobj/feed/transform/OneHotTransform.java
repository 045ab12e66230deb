package io.mlobj.feed.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.feed.TransformContext;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * {@code {"op": "one_hot", "column": "label", "classes": 10}}: an integer class id becomes a
 * float32 tensor {@code [classes]} with a 1 at the id.
 */
final class OneHotTransform extends TensorOutputStep {
  private final int classes;

  OneHotTransform(JsonNode spec) {
    super("one_hot", spec);
    this.classes = Specs.positiveInt(spec, "classes");
  }

  @Override
  public Field outputField(Field input) {
    if (!(input.getType() instanceof ArrowType.Int)) {
      throw bad(
          "it needs integer class ids, the column is "
              + Tensors.describe(input)
              + " (map labels first with label_map)");
    }
    return declare(Tensors.tensorField(input.getName(), Tensors.FLOAT32, classes));
  }

  @Override
  public FieldVector apply(FieldVector input, TransformContext context) {
    int rows = input.getValueCount();
    FieldVector out = newOutput(rows, context);
    ArrowBuf buf = Tensors.elements(out).getDataBuffer();
    for (int i = 0; i < rows; i++) {
      if (input.isNull(i)) {
        continue;
      }
      long id = ((Number) input.getObject(i)).longValue();
      if (id < 0 || id >= classes) {
        out.close();
        throw bad(
            "class id "
                + id
                + " (sample "
                + context.samples()[i]
                + ") is not in 0.."
                + (classes - 1));
      }
      buf.setFloat(((long) i * classes + id) * 4, 1f);
    }
    return out;
  }
}
