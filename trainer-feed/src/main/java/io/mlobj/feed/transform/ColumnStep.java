package io.mlobj.feed.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.MlobjException;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.feed.FeedErrors;
import io.mlobj.feed.Transform;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * What every built-in step shares: its op name and the column of its spec, and the error naming
 * both when the spec or the column does not fit the step.
 */
abstract class ColumnStep implements Transform {
  /** The op name, as in the pipeline ({@code "normalize"}). */
  final String op;

  /** The column the step transforms. */
  final String column;

  ColumnStep(String op, JsonNode spec) {
    this.op = op;
    this.column = Specs.column(spec);
  }

  /** The error for a spec or column this step cannot handle, for the given reason. */
  final MlobjException bad(String reason) {
    return FeedErrors.badTransform(op, column, reason);
  }

  /** The input's tensor type; fails unless the column is a tensor. */
  final FixedShapeTensorType requireTensor(Field input) {
    FixedShapeTensorType tensor = Tensors.tensorType(input);
    if (tensor == null) {
      throw bad("it needs a tensor column, the column is " + Tensors.describe(input));
    }
    return tensor;
  }
}
