package io.mlobj.internal.arrow;

import io.mlobj.arrow.FixedShapeTensorType;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * Maps Arrow schemas to Parquet schemas and back, the way pyarrow and Spark lay them out: lists as
 * the standard three-level {@code LIST} group, tensors as lists of their elements (the exact Arrow
 * type travels in the {@code ARROW:schema} footer key), unsigned and small integers as annotated
 * INT32/INT64.
 */
public final class ParquetSchemas {
  private ParquetSchemas() {}

  /** The Parquet schema for an Arrow schema. */
  public static MessageType toParquet(Schema schema) {
    List<Type> fields = new ArrayList<>();
    for (Field field : schema.getFields()) {
      fields.add(toParquet(field));
    }
    return new MessageType("schema", fields);
  }

  public static Type toParquet(Field field) {
    Repetition repetition = field.isNullable() ? Repetition.OPTIONAL : Repetition.REQUIRED;
    ArrowType type = field.getType();
    String name = field.getName();
    if (type instanceof ArrowType.ExtensionType ext) {
      List<Field> children = field.getChildren();
      if (ext instanceof FixedShapeTensorType) {
        // Tensor elements are written 'optional', as pyarrow writes them: pyarrow restores the
        // tensor type from ARROW:schema only when the Parquet layout matches the canonical
        // storage (a nullable element); a 'required' element made it fall back to a plain list.
        children =
            children.stream()
                .map(c -> new Field(c.getName(), FieldType.nullable(c.getType()), c.getChildren()))
                .toList();
      }
      Field storage =
          new Field(name, new FieldType(field.isNullable(), ext.storageType(), null), children);
      return toParquet(storage);
    }
    switch (type.getTypeID()) {
      case Bool:
        return Types.primitive(PrimitiveTypeName.BOOLEAN, repetition).named(name);
      case Int:
        {
          ArrowType.Int i = (ArrowType.Int) type;
          PrimitiveTypeName physical =
              i.getBitWidth() == 64 ? PrimitiveTypeName.INT64 : PrimitiveTypeName.INT32;
          return Types.primitive(physical, repetition)
              .as(LogicalTypeAnnotation.intType(i.getBitWidth(), i.getIsSigned()))
              .named(name);
        }
      case FloatingPoint:
        {
          FloatingPointPrecision p = ((ArrowType.FloatingPoint) type).getPrecision();
          if (p == FloatingPointPrecision.HALF) {
            throw unsupported(field);
          }
          return Types.primitive(
                  p == FloatingPointPrecision.SINGLE
                      ? PrimitiveTypeName.FLOAT
                      : PrimitiveTypeName.DOUBLE,
                  repetition)
              .named(name);
        }
      case Utf8:
      case LargeUtf8:
        return Types.primitive(PrimitiveTypeName.BINARY, repetition)
            .as(LogicalTypeAnnotation.stringType())
            .named(name);
      case Binary:
      case LargeBinary:
        return Types.primitive(PrimitiveTypeName.BINARY, repetition).named(name);
      case FixedSizeBinary:
        return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, repetition)
            .length(((ArrowType.FixedSizeBinary) type).getByteWidth())
            .named(name);
      case Date:
        if (((ArrowType.Date) type).getUnit() != DateUnit.DAY) {
          throw unsupported(field);
        }
        return Types.primitive(PrimitiveTypeName.INT32, repetition)
            .as(LogicalTypeAnnotation.dateType())
            .named(name);
      case Timestamp:
        {
          ArrowType.Timestamp ts = (ArrowType.Timestamp) type;
          LogicalTypeAnnotation.TimeUnit unit =
              switch (ts.getUnit()) {
                case MILLISECOND -> LogicalTypeAnnotation.TimeUnit.MILLIS;
                case MICROSECOND -> LogicalTypeAnnotation.TimeUnit.MICROS;
                case NANOSECOND -> LogicalTypeAnnotation.TimeUnit.NANOS;
                default -> throw unsupported(field);
              };
          return Types.primitive(PrimitiveTypeName.INT64, repetition)
              .as(LogicalTypeAnnotation.timestampType(ts.getTimezone() != null, unit))
              .named(name);
        }
      case List:
      case LargeList:
      case FixedSizeList:
        {
          Field child = field.getChildren().get(0);
          Type element = toParquet(new Field("element", child.getFieldType(), child.getChildren()));
          return Types.buildGroup(repetition)
              .as(LogicalTypeAnnotation.listType())
              .addField(Types.repeatedGroup().addField(element).named("list"))
              .named(name);
        }
      case Struct:
        {
          Types.GroupBuilder<GroupType> group = Types.buildGroup(repetition);
          for (Field child : field.getChildren()) {
            group.addField(toParquet(child));
          }
          return group.named(name);
        }
      default:
        throw unsupported(field);
    }
  }

  private static IllegalArgumentException unsupported(Field field) {
    return new IllegalArgumentException(
        "Cannot store column '"
            + field.getName()
            + "' of type "
            + field.getType()
            + " in Parquet: the type is not supported. Supported: booleans, integers, float32/64,"
            + " strings, binary, dates, timestamps (ms/us/ns), lists, structs and tensors; or"
            + " write Arrow IPC shards (format=arrow).");
  }

  /** A best-effort Arrow schema for a Parquet file written without an ARROW:schema key. */
  public static Schema toArrow(MessageType parquet) {
    List<Field> fields = new ArrayList<>();
    for (Type type : parquet.getFields()) {
      fields.add(toArrow(type));
    }
    return new Schema(fields);
  }

  public static Field toArrow(Type type) {
    boolean nullable = type.getRepetition() != Repetition.REQUIRED;
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    if (!type.isPrimitive()) {
      GroupType group = type.asGroupType();
      if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation
          && group.getFieldCount() == 1
          && !group.getType(0).isPrimitive()
          && group.getType(0).asGroupType().getFieldCount() == 1) {
        Field element = toArrow(group.getType(0).asGroupType().getType(0));
        return new Field(
            type.getName(), new FieldType(nullable, new ArrowType.List(), null), List.of(element));
      }
      List<Field> children = new ArrayList<>();
      for (Type child : group.getFields()) {
        children.add(toArrow(child));
      }
      return new Field(
          type.getName(), new FieldType(nullable, new ArrowType.Struct(), null), children);
    }
    PrimitiveType primitive = type.asPrimitiveType();
    ArrowType arrow =
        switch (primitive.getPrimitiveTypeName()) {
          case BOOLEAN -> new ArrowType.Bool();
          case INT32 -> {
            if (logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i) {
              yield new ArrowType.Int(i.getBitWidth(), i.isSigned());
            }
            if (logical instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
              yield new ArrowType.Date(DateUnit.DAY);
            }
            yield new ArrowType.Int(32, true);
          }
          case INT64 -> {
            if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
              TimeUnit unit =
                  switch (ts.getUnit()) {
                    case MILLIS -> TimeUnit.MILLISECOND;
                    case MICROS -> TimeUnit.MICROSECOND;
                    case NANOS -> TimeUnit.NANOSECOND;
                  };
              yield new ArrowType.Timestamp(unit, ts.isAdjustedToUTC() ? "UTC" : null);
            }
            if (logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i) {
              yield new ArrowType.Int(64, i.isSigned());
            }
            yield new ArrowType.Int(64, true);
          }
          case FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
          case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
          case BINARY ->
              logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                  ? new ArrowType.Utf8()
                  : new ArrowType.Binary();
          case FIXED_LEN_BYTE_ARRAY -> new ArrowType.FixedSizeBinary(primitive.getTypeLength());
          default ->
              throw new IllegalArgumentException(
                  "Cannot read Parquet column '" + type.getName() + "' of type " + primitive);
        };
    return new Field(type.getName(), new FieldType(nullable, arrow, null), null);
  }
}
