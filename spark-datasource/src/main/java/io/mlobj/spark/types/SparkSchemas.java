package io.mlobj.spark.types;

import io.mlobj.MlobjErrors;
import io.mlobj.Settings;
import io.mlobj.arrow.FixedShapeTensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * Maps dataset (Arrow) schemas to Spark schemas and back.
 *
 * <p>Tensor columns ({@code arrow.fixed_shape_tensor}) become {@code ArrayType(element, false)}
 * with the shape and the Arrow element type in the field metadata ({@value #TENSOR_SHAPE}, {@value
 * #TENSOR_ELEMENT}), so they map back to the same tensor type when written. Unsigned integers widen
 * the way Spark's Parquet reader widens them (uint8 to short, uint16 to int, uint32 and uint64 to
 * long).
 */
public final class SparkSchemas {
  /** Field metadata key: the tensor shape, e.g. {@code 3,32,32}. */
  public static final String TENSOR_SHAPE = "mlobj.tensor.shape";

  /**
   * Field metadata key: the Arrow element type of a tensor, e.g. {@code uint8}, {@code float32}.
   */
  public static final String TENSOR_ELEMENT = "mlobj.tensor.element";

  /** MLlib's vector type, named rather than loaded: spark-mllib is optional on a cluster. */
  private static final String ML_VECTOR_UDT = "org.apache.spark.ml.linalg.VectorUDT";

  private SparkSchemas() {}

  /** The Spark schema of a dataset schema. */
  public static StructType toSpark(Schema schema) {
    List<StructField> fields = new ArrayList<>();
    for (Field field : schema.getFields()) {
      fields.add(toSpark(field));
    }
    return new StructType(fields.toArray(StructField[]::new));
  }

  static StructField toSpark(Field field) {
    Metadata metadata = Metadata.empty();
    DataType type;
    if (field.getType() instanceof FixedShapeTensorType) {
      FixedShapeTensorType tensor = FixedShapeTensorType.of(field);
      type = DataTypes.createArrayType(sparkType(field, tensor.valueType(), List.of()), false);
      metadata =
          new MetadataBuilder()
              .putString(TENSOR_SHAPE, shapeString(tensor.shape()))
              .putString(TENSOR_ELEMENT, elementName(tensor.valueType()))
              .build();
    } else {
      type = sparkType(field, field.getType(), field.getChildren());
    }
    return new StructField(field.getName(), type, field.isNullable(), metadata);
  }

  private static DataType sparkType(Field field, ArrowType type, List<Field> children) {
    switch (type.getTypeID()) {
      case Bool:
        return DataTypes.BooleanType;
      case Int:
        {
          ArrowType.Int i = (ArrowType.Int) type;
          int bits = i.getBitWidth();
          if (i.getIsSigned()) {
            return switch (bits) {
              case 8 -> DataTypes.ByteType;
              case 16 -> DataTypes.ShortType;
              case 32 -> DataTypes.IntegerType;
              default -> DataTypes.LongType;
            };
          }
          return switch (bits) {
            case 8 -> DataTypes.ShortType;
            case 16 -> DataTypes.IntegerType;
            default -> DataTypes.LongType;
          };
        }
      case FloatingPoint:
        return ((ArrowType.FloatingPoint) type).getPrecision() == FloatingPointPrecision.DOUBLE
            ? DataTypes.DoubleType
            : DataTypes.FloatType;
      case Utf8:
      case LargeUtf8:
        return DataTypes.StringType;
      case Binary:
      case LargeBinary:
      case FixedSizeBinary:
        return DataTypes.BinaryType;
      case Date:
        return DataTypes.DateType;
      case Timestamp:
        return ((ArrowType.Timestamp) type).getTimezone() == null
            ? DataTypes.TimestampNTZType
            : DataTypes.TimestampType;
      case List:
      case LargeList:
      case FixedSizeList:
        {
          Field child = children.get(0);
          return DataTypes.createArrayType(
              toSpark(child).dataType(), child.isNullable() || children.isEmpty());
        }
      case Struct:
        {
          List<StructField> fields = new ArrayList<>();
          for (Field child : children) {
            fields.add(toSpark(child));
          }
          return new StructType(fields.toArray(StructField[]::new));
        }
      default:
        throw new IllegalArgumentException(
            "Cannot read column '"
                + field.getName()
                + "' of type "
                + type
                + " in Spark: the type has no Spark equivalent. Select other columns.");
    }
  }

  /**
   * The Arrow schema to write a Spark schema with. A column that exists in {@code existing} keeps
   * its dataset type (so tensors and unsigned integers survive a round trip); a new array or ML
   * vector column becomes a tensor when {@code tensorShapes} (column to shape) or its field
   * metadata ({@value #TENSOR_SHAPE}) declares a shape.
   *
   * @param existing the dataset's schema, or null for a new dataset
   */
  public static Schema toArrow(
      StructType spark,
      Schema existing,
      Map<String, int[]> tensorShapes,
      Map<String, String> tensorElements) {
    List<Field> fields = new ArrayList<>();
    for (StructField field : spark.fields()) {
      Field known = existing == null ? null : find(existing, field.name());
      if (known != null && compatible(known, field)) {
        fields.add(known);
      } else {
        fields.add(
            toArrow(field, tensorShapes.get(field.name()), tensorElements.get(field.name())));
      }
    }
    return new Schema(fields);
  }

  private static Field find(Schema schema, String name) {
    for (Field f : schema.getFields()) {
      if (f.getName().equals(name)) {
        return f;
      }
    }
    return null;
  }

  /** Whether Spark data of this field can be written as the dataset field. */
  private static boolean compatible(Field known, StructField field) {
    DataType expected = toSpark(known).dataType();
    DataType actual = field.dataType();
    if (expected.sameType(actual)) {
      return true;
    }
    if (known.getType() instanceof FixedShapeTensorType && isVector(actual)) {
      return true;
    }
    // Arrays of a differently nullable element still fit.
    return expected instanceof ArrayType e
        && actual instanceof ArrayType a
        && e.elementType().sameType(a.elementType());
  }

  /**
   * Whether a column holds MLlib vectors. Checked by the UDT's class name, so the connector loads
   * and writes on a Spark without spark-mllib (where no column can be a vector).
   */
  static boolean isVector(DataType type) {
    return type instanceof UserDefinedType<?> udt && ML_VECTOR_UDT.equals(udt.getClass().getName());
  }

  static Field toArrow(StructField field, int[] declaredShape, String declaredElement) {
    int[] shape = declaredShape;
    if (shape == null && field.metadata().contains(TENSOR_SHAPE)) {
      shape = parseShape(field.name(), field.metadata().getString(TENSOR_SHAPE));
    }
    DataType type = field.dataType();
    if (shape != null) {
      ArrowType element;
      if (declaredElement != null) {
        element = elementType(field.name(), declaredElement);
      } else if (field.metadata().contains(TENSOR_ELEMENT)) {
        element = elementType(field.name(), field.metadata().getString(TENSOR_ELEMENT));
      } else if (isVector(type)) {
        element = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      } else if (type instanceof ArrayType array) {
        element = arrowType(field.name(), array.elementType());
      } else {
        throw MlobjErrors.badOption(
            "tensor." + field.name() + ".shape",
            shapeString(shape),
            "a shape on an array or ML vector column; '"
                + field.name()
                + "' is "
                + type.simpleString());
      }
      FixedShapeTensorType tensor = new FixedShapeTensorType(element, shape);
      return new Field(
          field.name(), new FieldType(field.nullable(), tensor, null), tensor.storageChildren());
    }
    if (isVector(type)) {
      throw MlobjErrors.badOption(
          "tensor." + field.name() + ".shape",
          "(missing)",
          "a shape for ML vector column '"
              + field.name()
              + "', e.g. option(\"tensor."
              + field.name()
              + ".shape\", \"784\")");
    }
    return field(field.name(), type, field.nullable());
  }

  private static Field field(String name, DataType type, boolean nullable) {
    if (type instanceof ArrayType array) {
      Field element = field("element", array.elementType(), array.containsNull());
      return new Field(name, new FieldType(nullable, new ArrowType.List(), null), List.of(element));
    }
    if (type instanceof StructType struct) {
      List<Field> children = new ArrayList<>();
      for (StructField f : struct.fields()) {
        children.add(field(f.name(), f.dataType(), f.nullable()));
      }
      return new Field(name, new FieldType(nullable, new ArrowType.Struct(), null), children);
    }
    return new Field(name, new FieldType(nullable, arrowType(name, type), null), null);
  }

  private static ArrowType arrowType(String name, DataType type) {
    if (type.sameType(DataTypes.BooleanType)) {
      return ArrowType.Bool.INSTANCE;
    } else if (type.sameType(DataTypes.ByteType)) {
      return new ArrowType.Int(8, true);
    } else if (type.sameType(DataTypes.ShortType)) {
      return new ArrowType.Int(16, true);
    } else if (type.sameType(DataTypes.IntegerType)) {
      return new ArrowType.Int(32, true);
    } else if (type.sameType(DataTypes.LongType)) {
      return new ArrowType.Int(64, true);
    } else if (type.sameType(DataTypes.FloatType)) {
      return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    } else if (type.sameType(DataTypes.DoubleType)) {
      return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    } else if (type.sameType(DataTypes.StringType)) {
      return ArrowType.Utf8.INSTANCE;
    } else if (type.sameType(DataTypes.BinaryType)) {
      return ArrowType.Binary.INSTANCE;
    } else if (type.sameType(DataTypes.DateType)) {
      return new ArrowType.Date(DateUnit.DAY);
    } else if (type.sameType(DataTypes.TimestampType)) {
      return new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
    } else if (type.sameType(DataTypes.TimestampNTZType)) {
      return new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
    }
    throw new io.mlobj.MlobjException(
        io.mlobj.MlobjException.Kind.INVALID_ARGUMENT,
        "Cannot write column '"
            + name
            + "' of type "
            + type.simpleString()
            + ": mlobj has no such type. Cast it to boolean, an integer, float, double, string,"
            + " binary, date, timestamp, an array, a struct or an ML vector.");
  }

  /** The name used in {@value #TENSOR_ELEMENT}. */
  static String elementName(ArrowType type) {
    String numeric = FixedShapeTensorType.numericName(type);
    if (numeric != null) {
      return numeric;
    }
    return type.toString();
  }

  /** The Arrow type of a tensor element type name ({@link Settings#tensorElementType}). */
  public static ArrowType elementType(String column, String name) {
    return Settings.tensorElementType(column, name);
  }

  /** Parses a tensor shape ({@link Settings#parseShape}). */
  public static int[] parseShape(String column, String value) {
    return Settings.parseShape(column, value);
  }

  static String shapeString(int[] shape) {
    return Arrays.stream(shape).mapToObj(String::valueOf).collect(Collectors.joining(","));
  }
}
