package io.mlobj.flink.table;

import io.mlobj.MlobjException;
import io.mlobj.arrow.FixedShapeTensorType;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.DateType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.FloatType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.SmallIntType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.TinyIntType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;

/**
 * Maps Arrow types to Flink SQL types and back. Tensors ({@code arrow.fixed_shape_tensor}) map to a
 * flat {@code ARRAY} of their element type (float32 to {@code ARRAY<FLOAT>}, uint8 to {@code
 * ARRAY<SMALLINT>}); the shape lives in the dataset schema or the {@code tensor.<column>.shape}
 * option. Unsigned integers widen to the next signed type.
 */
public final class ArrowTypes {
  private ArrowTypes() {}

  /** The Flink type of an Arrow field. */
  public static LogicalType toFlink(Field field) {
    ArrowType type = field.getType();
    boolean nullable = field.isNullable();
    if (type instanceof FixedShapeTensorType) {
      ArrowType value = FixedShapeTensorType.of(field).valueType();
      return new ArrayType(nullable, scalar(value, field.getName(), false));
    }
    if (type instanceof ArrowType.List
        || type instanceof ArrowType.LargeList
        || type instanceof ArrowType.FixedSizeList) {
      return new ArrayType(nullable, toFlink(field.getChildren().get(0)));
    }
    if (type instanceof ArrowType.Struct) {
      List<RowType.RowField> fields = new ArrayList<>();
      for (Field child : field.getChildren()) {
        fields.add(new RowType.RowField(child.getName(), toFlink(child)));
      }
      return new RowType(nullable, fields);
    }
    return scalar(type, field.getName(), nullable);
  }

  private static LogicalType scalar(ArrowType type, String column, boolean nullable) {
    if (type instanceof ArrowType.Int i) {
      int bits = i.getIsSigned() ? i.getBitWidth() : i.getBitWidth() * 2;
      return switch (bits) {
        case 8 -> new TinyIntType(nullable);
        case 16 -> new SmallIntType(nullable);
        case 32 -> new IntType(nullable);
        case 64 -> new BigIntType(nullable);
        default -> throw unsupported(column, type);
      };
    }
    if (type instanceof ArrowType.FloatingPoint f) {
      return f.getPrecision() == FloatingPointPrecision.DOUBLE
          ? new DoubleType(nullable)
          : new FloatType(nullable);
    }
    if (type instanceof ArrowType.Utf8 || type instanceof ArrowType.LargeUtf8) {
      return new VarCharType(nullable, VarCharType.MAX_LENGTH);
    }
    if (type instanceof ArrowType.Binary
        || type instanceof ArrowType.LargeBinary
        || type instanceof ArrowType.FixedSizeBinary) {
      return new VarBinaryType(nullable, VarBinaryType.MAX_LENGTH);
    }
    if (type instanceof ArrowType.Bool) {
      return new BooleanType(nullable);
    }
    if (type instanceof ArrowType.Date) {
      return new DateType(nullable);
    }
    if (type instanceof ArrowType.Timestamp ts) {
      int precision = precision(ts.getUnit());
      return ts.getTimezone() == null
          ? new TimestampType(nullable, precision)
          : new LocalZonedTimestampType(nullable, precision);
    }
    throw unsupported(column, type);
  }

  private static int precision(TimeUnit unit) {
    return switch (unit) {
      case SECOND -> 0;
      case MILLISECOND -> 3;
      case MICROSECOND -> 6;
      case NANOSECOND -> 9;
    };
  }

  /**
   * The Arrow field for a Flink column. With a tensor shape, the column (an {@code ARRAY}) becomes
   * a fixed-shape tensor of {@code tensorValue} (or of the array's element type).
   */
  public static Field toArrow(
      String name, LogicalType type, int[] tensorShape, ArrowType tensorValue) {
    if (tensorShape != null) {
      if (!(type instanceof ArrayType array)) {
        throw new MlobjException(
            MlobjException.Kind.INVALID_ARGUMENT,
            "Cannot use column '"
                + name
                + "' as a tensor: its type is "
                + type
                + ". Declare it as ARRAY<FLOAT> (or another numeric ARRAY).");
      }
      ArrowType value =
          tensorValue != null ? tensorValue : scalarArrow(name, array.getElementType());
      return FixedShapeTensorType.field(name, value, tensorShape);
    }
    FieldType fieldType;
    List<Field> children = List.of();
    if (type instanceof ArrayType array) {
      fieldType = new FieldType(type.isNullable(), new ArrowType.List(), null);
      children = List.of(toArrow("element", array.getElementType(), null, null));
    } else if (type instanceof RowType row) {
      fieldType = new FieldType(type.isNullable(), new ArrowType.Struct(), null);
      List<Field> fields = new ArrayList<>();
      for (RowType.RowField f : row.getFields()) {
        fields.add(toArrow(f.getName(), f.getType(), null, null));
      }
      children = fields;
    } else {
      fieldType = new FieldType(type.isNullable(), scalarArrow(name, type), null);
    }
    return new Field(name, fieldType, children);
  }

  private static ArrowType scalarArrow(String name, LogicalType type) {
    return switch (type.getTypeRoot()) {
      case TINYINT -> new ArrowType.Int(8, true);
      case SMALLINT -> new ArrowType.Int(16, true);
      case INTEGER -> new ArrowType.Int(32, true);
      case BIGINT -> new ArrowType.Int(64, true);
      case FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case CHAR, VARCHAR -> new ArrowType.Utf8();
      case BINARY, VARBINARY -> new ArrowType.Binary();
      case BOOLEAN -> new ArrowType.Bool();
      case DATE -> new ArrowType.Date(DateUnit.DAY);
      case TIMESTAMP_WITHOUT_TIME_ZONE -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
      default ->
          throw new MlobjException(
              MlobjException.Kind.INVALID_ARGUMENT,
              "Cannot write column '"
                  + name
                  + "' of type "
                  + type
                  + ": the mlobj connector supports numbers, strings, bytes, booleans, dates,"
                  + " timestamps, arrays and rows. Cast the column to one of these.");
    };
  }

  private static MlobjException unsupported(String column, ArrowType type) {
    return new MlobjException(
        MlobjException.Kind.INVALID_ARGUMENT,
        "Cannot read column '"
            + column
            + "' of Arrow type "
            + type
            + " in Flink SQL: no matching SQL type. Leave the column out of the table's schema.");
  }
}
