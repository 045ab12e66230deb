package io.mlobj.feed.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.feed.TransformContext;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * {@code {"op": "pad_truncate", "column": "tokens", "length": 128, "pad": 0}}: turns variable
 * length integer sequences into a tensor {@code [length]} of the same integer type, cutting long
 * ones and padding short ones (and nulls) with {@code pad}.
 */
final class PadTruncateTransform extends TensorOutputStep {
  private final int length;
  private final long pad;
  private ArrowType element;

  PadTruncateTransform(JsonNode spec) {
    super("pad_truncate", spec);
    this.length = Specs.positiveInt(spec, "length");
    this.pad = (long) Specs.number(spec, "pad", 0);
  }

  @Override
  public Field outputField(Field input) {
    if (!(input.getType() instanceof ArrowType.List)
        || input.getChildren().isEmpty()
        || !(input.getChildren().get(0).getType() instanceof ArrowType.Int)) {
      throw bad("it needs a list of integers, the column is " + Tensors.describe(input));
    }
    element = input.getChildren().get(0).getType();
    return declare(Tensors.tensorField(input.getName(), element, length));
  }

  @Override
  public FieldVector apply(FieldVector input, TransformContext context) {
    ListVector list = (ListVector) input;
    int rows = list.getValueCount();
    int width = Tensors.byteWidth(element);
    FieldVector out = newOutput(rows, context);
    ArrowBuf dst = Tensors.elements(out).getDataBuffer();
    ArrowBuf src = ((BaseFixedWidthVector) list.getDataVector()).getDataBuffer();
    ArrowBuf offsets = list.getOffsetBuffer();
    for (int r = 0; r < rows; r++) {
      int n = 0;
      long start = 0;
      if (!list.isNull(r)) {
        start = offsets.getInt((long) r * 4);
        n = Math.min(length, offsets.getInt((long) (r + 1) * 4) - (int) start);
      }
      long base = (long) r * length;
      if (n > 0) {
        dst.setBytes(base * width, src, start * width, (long) n * width);
      }
      for (int i = n; i < length; i++) {
        long at = (base + i) * width;
        switch (width) {
          case 1 -> dst.setByte(at, (byte) pad);
          case 2 -> dst.setShort(at, (short) pad);
          case 4 -> dst.setInt(at, (int) pad);
          default -> dst.setLong(at, pad);
        }
      }
    }
    return out;
  }
}
