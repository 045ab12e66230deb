package io.mlobj.feed.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.feed.TransformContext;
import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * {@code {"op": "label_map", "column": "label", "mapping": {"cat": 0, "dog": 1}, "default": -1}}:
 * maps string or integer labels to int32 class ids. A label missing from the mapping without a
 * {@code default} fails the stream with INVALID_ARGUMENT.
 */
final class LabelMapTransform extends ColumnStep {
  private final Map<String, Integer> mapping = new HashMap<>();
  private final Integer fallback;

  LabelMapTransform(JsonNode spec) {
    super("label_map", spec);
    JsonNode m = spec.get("mapping");
    if (m == null || !m.isObject() || m.isEmpty()) {
      throw bad("'mapping' must be a JSON object of label -> class id");
    }
    m.fields()
        .forEachRemaining(
            e -> {
              if (!e.getValue().isIntegralNumber()) {
                throw bad("class ids must be integers, got " + e.getValue());
              }
              mapping.put(e.getKey(), e.getValue().asInt());
            });
    this.fallback = spec.hasNonNull("default") ? spec.get("default").asInt() : null;
  }

  @Override
  public Field outputField(Field input) {
    ArrowType t = input.getType();
    if (!(t instanceof ArrowType.Int || t instanceof ArrowType.Utf8)) {
      throw bad("it needs integer or string labels, the column is " + t);
    }
    return Tensors.scalar(input.getName(), new ArrowType.Int(32, true));
  }

  @Override
  public FieldVector apply(FieldVector input, TransformContext context) {
    int rows = input.getValueCount();
    IntVector out = new IntVector(input.getName(), context.allocator());
    out.allocateNew(Math.max(1, rows));
    for (int i = 0; i < rows; i++) {
      if (input.isNull(i)) {
        continue;
      }
      String key = String.valueOf(input.getObject(i));
      Integer id = mapping.getOrDefault(key, fallback);
      if (id == null) {
        out.close();
        throw bad(
            "label '" + key + "' (sample " + context.samples()[i] + ") is not in the mapping");
      }
      out.set(i, id);
    }
    out.setValueCount(rows);
    return out;
  }
}
