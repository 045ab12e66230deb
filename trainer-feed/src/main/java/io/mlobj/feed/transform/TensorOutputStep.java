package io.mlobj.feed.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.feed.TransformContext;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * A step that writes a new tensor column instead of changing its input in place (one_hot,
 * random_crop, pad_truncate): it declares the output field once and allocates it for each batch.
 */
abstract class TensorOutputStep extends ColumnStep {
  private Field output;

  TensorOutputStep(String op, JsonNode spec) {
    super(op, spec);
  }

  /** Records the field this step produces and returns it, for {@code outputField}. */
  final Field declare(Field output) {
    this.output = output;
    return output;
  }

  /** A vector of the declared field for {@code rows} rows, from the batch's allocator. */
  final FieldVector newOutput(int rows, TransformContext context) {
    return Tensors.allocate(output, rows, context.allocator());
  }
}
