package io.mlobj.feed.transform;

import io.mlobj.arrow.FixedShapeTensorType;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/** Helpers over {@code arrow.fixed_shape_tensor} columns and raw element buffers. */
public final class Tensors {
  /** float32. */
  public static final ArrowType FLOAT32 =
      new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);

  private Tensors() {}

  /** The tensor type of a field (element type filled in), or null if it is not a tensor. */
  public static FixedShapeTensorType tensorType(Field field) {
    return field.getType() instanceof FixedShapeTensorType ? FixedShapeTensorType.of(field) : null;
  }

  /** A nullable tensor field. */
  public static Field tensorField(String name, ArrowType element, int... shape) {
    return FixedShapeTensorType.field(name, element, shape);
  }

  /** The storage list of a tensor vector. */
  public static FixedSizeListVector storage(FieldVector tensor) {
    return tensor instanceof ExtensionTypeVector<?> e
        ? (FixedSizeListVector) e.getUnderlyingVector()
        : (FixedSizeListVector) tensor;
  }

  /** The flat element vector of a tensor vector. */
  public static BaseFixedWidthVector elements(FieldVector tensor) {
    return (BaseFixedWidthVector) storage(tensor).getDataVector();
  }

  /**
   * Moves the buffers of {@code from} into {@code to} (same type), unwrapping extension vectors.
   */
  public static void transfer(FieldVector from, FieldVector to) {
    FieldVector source =
        from instanceof ExtensionTypeVector<?> e ? (FieldVector) e.getUnderlyingVector() : from;
    FieldVector target =
        to instanceof ExtensionTypeVector<?> e ? (FieldVector) e.getUnderlyingVector() : to;
    source.makeTransferPair(target).transfer();
  }

  /** Bytes per element of a fixed-width numeric type, or -1. */
  public static int byteWidth(ArrowType type) {
    if (type instanceof ArrowType.Int i) {
      return i.getBitWidth() / 8;
    }
    if (type instanceof ArrowType.FloatingPoint f) {
      return switch (f.getPrecision()) {
        case HALF -> 2;
        case SINGLE -> 4;
        case DOUBLE -> 8;
      };
    }
    return -1;
  }

  /**
   * A new tensor vector of {@code rows} valid rows, every element zero; the caller owns it. Fill
   * the element buffer through {@link #elements(FieldVector)}.
   */
  public static FieldVector allocate(Field field, int rows, BufferAllocator allocator) {
    FieldVector vector = allocateForOverwrite(field, rows, allocator);
    ArrowBuf data = ((BaseFixedWidthVector) storage(vector).getDataVector()).getDataBuffer();
    data.setZero(0, data.capacity());
    return vector;
  }

  /**
   * Like {@link #allocate} but the values are left as the allocator hands them out (not zeroed):
   * for callers that write every value, which saves one or two passes over the batch.
   */
  public static FieldVector allocateForOverwrite(Field field, int rows, BufferAllocator allocator) {
    FieldVector vector = field.createVector(allocator);
    FixedSizeListVector list = storage(vector);
    int size = list.getListSize();
    BaseFixedWidthVector values = (BaseFixedWidthVector) list.getDataVector();
    int elements = rows * size;
    long width = values.getTypeWidth();
    // Buffers loaded as IPC would: allocateNew() zeroes what every caller overwrites anyway.
    try (ArrowBuf validity = allocator.buffer(Math.max(1, (rows + 7) / 8));
        ArrowBuf valuesValidity = allocator.buffer(Math.max(1, (elements + 7) / 8));
        ArrowBuf data = allocator.buffer(Math.max(1, elements * width))) {
      validity.setZero(0, validity.capacity());
      valuesValidity.setZero(0, valuesValidity.capacity());
      setAllValid(validity, rows);
      setAllValid(valuesValidity, elements);
      list.loadFieldBuffers(new ArrowFieldNode(rows, 0), List.of(validity));
      values.loadFieldBuffers(new ArrowFieldNode(elements, 0), List.of(valuesValidity, data));
    }
    list.setValueCount(rows);
    values.setValueCount(elements);
    return vector;
  }

  /** Marks the first {@code count} bits valid. */
  public static void setAllValid(ArrowBuf validity, int count) {
    int full = count / 8;
    validity.setOne(0, full);
    for (int i = full * 8; i < count; i++) {
      validity.setByte(i / 8, validity.getByte(i / 8) | (1 << (i % 8)));
    }
  }

  /** Reads element {@code i} of a numeric buffer as a double. */
  public static double get(ArrowBuf buf, ArrowType type, long i) {
    if (type instanceof ArrowType.Int t) {
      return switch (t.getBitWidth()) {
        case 8 -> t.getIsSigned() ? buf.getByte(i) : buf.getByte(i) & 0xff;
        case 16 -> t.getIsSigned() ? buf.getShort(i * 2) : buf.getShort(i * 2) & 0xffff;
        case 32 -> t.getIsSigned() ? buf.getInt(i * 4) : buf.getInt(i * 4) & 0xffffffffL;
        default -> buf.getLong(i * 8);
      };
    }
    ArrowType.FloatingPoint f = (ArrowType.FloatingPoint) type;
    return f.getPrecision() == FloatingPointPrecision.DOUBLE
        ? buf.getDouble(i * 8)
        : buf.getFloat(i * 4);
  }

  /**
   * Reads {@code out.length} elements from element index {@code start} as floats, in bulk (one
   * bounds check, no per-element buffer calls).
   */
  public static void readFloats(ArrowBuf buf, ArrowType type, long start, float[] out) {
    int n = out.length;
    int width = byteWidth(type);
    java.nio.ByteBuffer bytes =
        buf.nioBuffer(start * width, n * width).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    if (type instanceof ArrowType.Int t) {
      switch (t.getBitWidth()) {
        case 8 -> {
          byte[] b = new byte[n];
          bytes.get(b);
          if (t.getIsSigned()) {
            for (int i = 0; i < n; i++) {
              out[i] = b[i];
            }
          } else {
            for (int i = 0; i < n; i++) {
              out[i] = b[i] & 0xff;
            }
          }
        }
        case 16 -> {
          short[] v = new short[n];
          bytes.asShortBuffer().get(v);
          for (int i = 0; i < n; i++) {
            out[i] = t.getIsSigned() ? v[i] : v[i] & 0xffff;
          }
        }
        case 32 -> {
          int[] v = new int[n];
          bytes.asIntBuffer().get(v);
          for (int i = 0; i < n; i++) {
            out[i] = t.getIsSigned() ? v[i] : (float) (v[i] & 0xffffffffL);
          }
        }
        default -> {
          long[] v = new long[n];
          bytes.asLongBuffer().get(v);
          for (int i = 0; i < n; i++) {
            out[i] = v[i];
          }
        }
      }
    } else if (width == 8) {
      double[] v = new double[n];
      bytes.asDoubleBuffer().get(v);
      for (int i = 0; i < n; i++) {
        out[i] = (float) v[i];
      }
    } else {
      bytes.asFloatBuffer().get(out);
    }
  }

  /** Writes floats in bulk at element index {@code start} of a float32 buffer. */
  public static void writeFloats(ArrowBuf buf, long start, float[] values) {
    buf.nioBuffer(start * 4, values.length * 4)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .put(values);
  }

  /** Whether {@link #get} can read the type. */
  public static boolean isNumeric(ArrowType type) {
    return type instanceof ArrowType.Int
        || type instanceof ArrowType.FloatingPoint f
            && f.getPrecision() != FloatingPointPrecision.HALF;
  }

  /**
   * A field's type as users write it, for messages: {@code tensor<uint8>[3,16,16]}, {@code int32},
   * {@code list<int64>}, {@code string}.
   */
  public static String describe(Field field) {
    FixedShapeTensorType tensor = tensorType(field);
    if (tensor != null) {
      StringBuilder shape = new StringBuilder();
      for (int d : tensor.shape()) {
        shape.append(shape.length() == 0 ? "" : ",").append(d);
      }
      return "tensor<" + typeName(tensor.valueType()) + ">[" + shape + "]";
    }
    if (field.getType() instanceof ArrowType.List
        || field.getType() instanceof ArrowType.LargeList) {
      return "list<" + describe(field.getChildren().get(0)) + ">";
    }
    return typeName(field.getType());
  }

  /** A scalar Arrow type's numpy-style name ({@code uint8}, {@code float32}); else Arrow's. */
  public static String typeName(ArrowType type) {
    String numeric = FixedShapeTensorType.numericName(type);
    if (numeric != null) {
      return numeric;
    }
    if (type instanceof ArrowType.Utf8 || type instanceof ArrowType.LargeUtf8) {
      return "string";
    }
    return String.valueOf(type).toLowerCase(java.util.Locale.ROOT);
  }

  /** Shape as a list, for messages. */
  public static List<Integer> shapeList(int[] shape) {
    return java.util.Arrays.stream(shape).boxed().toList();
  }

  /** A field with the same name. */
  public static Field renamed(Field field, String name) {
    return new Field(name, field.getFieldType(), field.getChildren());
  }

  /** A non-nullable-agnostic scalar field. */
  public static Field scalar(String name, ArrowType type) {
    return new Field(name, FieldType.nullable(type), null);
  }
}
