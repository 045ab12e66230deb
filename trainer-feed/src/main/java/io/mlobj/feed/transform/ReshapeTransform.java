package io.mlobj.feed.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.feed.TransformContext;
import java.util.Arrays;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * {@code {"op": "reshape", "column": "image", "shape": [3, 32, 32]}}: gives a tensor column another
 * shape with the same number of elements; no data is copied.
 */
final class ReshapeTransform extends ColumnStep {
  private final int[] shape;
  private Field output;

  ReshapeTransform(JsonNode spec) {
    super("reshape", spec);
    this.shape = Specs.ints(spec, "shape", true);
  }

  @Override
  public Field outputField(Field input) {
    FixedShapeTensorType tensor = requireTensor(input);
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    if (n != tensor.size()) {
      throw bad(
          "shape "
              + Arrays.toString(shape)
              + " has "
              + n
              + " elements but the tensors have "
              + tensor.size()
              + " (shape "
              + Arrays.toString(tensor.shape())
              + ")");
    }
    output = Tensors.tensorField(input.getName(), tensor.valueType(), shape);
    return output;
  }

  @Override
  public FieldVector apply(FieldVector input, TransformContext context) {
    FieldVector out = output.createVector(context.allocator());
    Tensors.storage(input).makeTransferPair(Tensors.storage(out)).transfer();
    return out;
  }
}
