package io.mlobj.cli;

import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.FixedShapeTensorVector;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.Text;

/**
 * Column types and cell values as {@code show} and {@code schema} print them: short type names
 * ({@code int64}, {@code tensor<float32>[3,32,32]}) and tensors summarised by shape and statistics
 * instead of their elements.
 */
final class Cells {
  /** Longest text cell printed in a table before it is cut with an ellipsis. */
  static final int MAX_TEXT = 48;

  private Cells() {}

  /** The short type name of a field, e.g. {@code tensor<uint8>[3,32,32]} or {@code string}. */
  static String typeName(Field field) {
    if (field.getType() instanceof FixedShapeTensorType) {
      FixedShapeTensorType t = FixedShapeTensorType.of(field);
      return "tensor<"
          + (t.valueType() == null ? "?" : typeName(t.valueType(), null))
          + ">"
          + shape(t.shape());
    }
    return typeName(field.getType(), field);
  }

  private static String typeName(ArrowType type, Field field) {
    String numeric = FixedShapeTensorType.numericName(type);
    if (numeric != null) {
      return numeric;
    }
    if (type instanceof ArrowType.Utf8 || type instanceof ArrowType.LargeUtf8) {
      return "string";
    }
    if (type instanceof ArrowType.Binary || type instanceof ArrowType.LargeBinary) {
      return "binary";
    }
    if (type instanceof ArrowType.FixedSizeList l
        && field != null
        && !field.getChildren().isEmpty()) {
      return "fixed_size_list<"
          + typeName(field.getChildren().get(0))
          + ">["
          + l.getListSize()
          + "]";
    }
    if ((type instanceof ArrowType.List || type instanceof ArrowType.LargeList)
        && field != null
        && !field.getChildren().isEmpty()) {
      return "list<" + typeName(field.getChildren().get(0)) + ">";
    }
    return type.toString().toLowerCase(Locale.ROOT);
  }

  private static String shape(int[] shape) {
    return Arrays.stream(shape)
        .mapToObj(String::valueOf)
        .collect(Collectors.joining(",", "[", "]"));
  }

  /**
   * The value at {@code row} as text; tensors as type, min, mean and max. With {@code cut}, text
   * longer than {@link #MAX_TEXT} is shortened (tables).
   */
  static String text(FieldVector vector, int row, boolean cut) {
    if (vector.isNull(row)) {
      return "null";
    }
    if (vector instanceof FixedShapeTensorVector t) {
      TensorStats s = TensorStats.of(t, row);
      return typeName(t.getField())
          + (s == null ? "" : " min/mean/max " + num(s.min) + "/" + num(s.mean) + "/" + num(s.max));
    }
    String text = String.valueOf(plain(vector.getObject(row)));
    return cut && text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT - 1) + "…" : text;
  }

  /**
   * The value at {@code row} for JSON: numbers, strings, lists, and tensors as a summary object.
   */
  static Object json(FieldVector vector, int row) {
    if (vector.isNull(row)) {
      return null;
    }
    if (vector instanceof FixedShapeTensorVector t) {
      FixedShapeTensorType type = FixedShapeTensorType.of(t.getField());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", typeName(t.getField()));
      m.put("shape", type.shape());
      TensorStats s = TensorStats.of(t, row);
      if (s != null) {
        m.put("min", s.min);
        m.put("mean", s.mean);
        m.put("max", s.max);
      }
      return m;
    }
    Object value = plain(vector.getObject(row));
    return value instanceof Number || value instanceof Boolean ? value : String.valueOf(value);
  }

  private static Object plain(Object value) {
    if (value instanceof Text t) {
      return t.toString();
    }
    if (value instanceof byte[] b) {
      return "0x"
          + java.util.HexFormat.of().formatHex(b, 0, Math.min(b.length, 16))
          + (b.length > 16 ? "…(" + b.length + " bytes)" : "");
    }
    return value;
  }

  private static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.valueOf((long) v);
    }
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return String.valueOf(v);
    }
    return new java.math.BigDecimal(v)
        .round(new java.math.MathContext(4))
        .stripTrailingZeros()
        .toString();
  }

  /** Minimum, mean and maximum of one tensor's elements; null for non-numeric elements. */
  private record TensorStats(double min, double mean, double max) {
    static TensorStats of(FixedShapeTensorVector tensor, int row) {
      FieldVector values = tensor.values();
      int size = FixedShapeTensorType.of(tensor.getField()).size();
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      double sum = 0;
      int n = 0;
      for (int i = row * size; i < (row + 1) * size; i++) {
        if (values.isNull(i)) {
          continue;
        }
        double v;
        if (values instanceof FloatingPointVector f) {
          v = f.getValueAsDouble(i);
        } else if (values instanceof BaseIntVector b) {
          v = b.getValueAsLong(i);
        } else {
          return null;
        }
        min = Math.min(min, v);
        max = Math.max(max, v);
        sum += v;
        n++;
      }
      return n == 0 ? null : new TensorStats(min, sum / n, max);
    }
  }
}
