package io.mlobj.spark.types;

import io.mlobj.MlobjException;
import io.mlobj.arrow.FixedShapeTensorType;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * Appends Spark {@link InternalRow}s to an Arrow root of a dataset schema: the write side of the
 * connector. Tensor columns accept Spark arrays and ML vectors of exactly the tensor's size. Not
 * thread-safe; one per task.
 */
public final class RowsToArrow implements AutoCloseable {
  private final VectorSchemaRoot root;
  private final Writer[] writers;
  private int rows;

  /** A root of {@code schema} filled from rows of {@code sparkSchema} (same columns, in order). */
  public RowsToArrow(Schema schema, StructType sparkSchema, BufferAllocator allocator) {
    this.root = VectorSchemaRoot.create(schema, allocator);
    List<FieldVector> vectors = root.getFieldVectors();
    this.writers = new Writer[vectors.size()];
    for (int i = 0; i < writers.length; i++) {
      writers[i] = writer(vectors.get(i), sparkSchema.fields()[i].dataType());
    }
  }

  /** Appends one row. */
  public void append(InternalRow row) {
    for (int i = 0; i < writers.length; i++) {
      writers[i].write(row, i, rows);
    }
    rows++;
  }

  /** Rows appended since the last {@link #reset()}. */
  public int rows() {
    return rows;
  }

  /** The filled root (row count set). */
  public VectorSchemaRoot root() {
    for (FieldVector v : root.getFieldVectors()) {
      v.setValueCount(rows);
    }
    root.setRowCount(rows);
    return root;
  }

  /** Empties the root, keeping its memory. */
  public void reset() {
    for (FieldVector v : root.getFieldVectors()) {
      v.reset();
    }
    root.setRowCount(0);
    rows = 0;
  }

  @Override
  public void close() {
    root.close();
  }

  /** Writes the non-null value at {@code ordinal} of {@code src} to index {@code index}. */
  @FunctionalInterface
  private interface ValueWriter {
    void write(SpecializedGetters src, int ordinal, int index);
  }

  /** Writes the value at {@code ordinal} of {@code src} to index {@code index} of a vector. */
  private record Writer(FieldVector vector, ValueWriter value) {
    void write(SpecializedGetters src, int ordinal, int index) {
      if (src.isNullAt(ordinal)) {
        vector.setNull(index);
      } else {
        value.write(src, ordinal, index);
      }
    }
  }

  private static Writer writer(FieldVector vector, DataType sparkType) {
    if (vector instanceof ExtensionTypeVector<?> ext
        && ext.getField().getType() instanceof FixedShapeTensorType tensor) {
      FixedSizeListVector list = (FixedSizeListVector) ext.getUnderlyingVector();
      return new Writer(
          vector, new TensorValues(vector, list, tensor, SparkSchemas.isVector(sparkType)));
    }
    if (vector instanceof FixedSizeListVector list) {
      return new Writer(
          vector, new TensorValues(vector, list, null, SparkSchemas.isVector(sparkType)));
    }
    if (vector instanceof ListVector list) {
      DataType element =
          sparkType instanceof ArrayType a
              ? a.elementType()
              : SparkSchemas.toSpark(list.getDataVector().getField()).dataType();
      Writer child = writer(list.getDataVector(), element);
      return new Writer(
          vector,
          (src, ordinal, index) -> {
            ArrayData array = src.getArray(ordinal);
            int start = list.startNewValue(index);
            for (int j = 0; j < array.numElements(); j++) {
              child.write(array, j, start + j);
            }
            list.endValue(index, array.numElements());
          });
    }
    if (vector instanceof StructVector struct) {
      StructType type = (StructType) sparkType;
      List<FieldVector> children = struct.getChildrenFromFields();
      Writer[] childWriters = new Writer[children.size()];
      for (int i = 0; i < childWriters.length; i++) {
        childWriters[i] = writer(children.get(i), type.fields()[i].dataType());
      }
      return new Writer(
          vector,
          (src, ordinal, index) -> {
            InternalRow row = src.getStruct(ordinal, childWriters.length);
            struct.setIndexDefined(index);
            for (int i = 0; i < childWriters.length; i++) {
              childWriters[i].write(row, i, index);
            }
          });
    }
    return new Writer(vector, primitive(vector));
  }

  /** The value writer of a primitive vector, by Arrow type. */
  private static ValueWriter primitive(FieldVector vector) {
    if (vector instanceof BitVector v) {
      return (s, o, i) -> v.setSafe(i, s.getBoolean(o) ? 1 : 0);
    } else if (vector instanceof TinyIntVector v) {
      return (s, o, i) -> v.setSafe(i, s.getByte(o));
    } else if (vector instanceof SmallIntVector v) {
      return (s, o, i) -> v.setSafe(i, s.getShort(o));
    } else if (vector instanceof IntVector v) {
      return (s, o, i) -> v.setSafe(i, s.getInt(o));
    } else if (vector instanceof BigIntVector v) {
      return (s, o, i) -> v.setSafe(i, s.getLong(o));
    } else if (vector instanceof UInt1Vector v) {
      return (s, o, i) -> v.setSafe(i, s.getShort(o));
    } else if (vector instanceof UInt2Vector v) {
      return (s, o, i) -> v.setSafe(i, (char) s.getInt(o));
    } else if (vector instanceof UInt4Vector v) {
      return (s, o, i) -> v.setSafe(i, (int) s.getLong(o));
    } else if (vector instanceof UInt8Vector v) {
      return (s, o, i) -> v.setSafe(i, s.getLong(o));
    } else if (vector instanceof Float4Vector v) {
      return (s, o, i) -> v.setSafe(i, s.getFloat(o));
    } else if (vector instanceof Float8Vector v) {
      return (s, o, i) -> v.setSafe(i, s.getDouble(o));
    } else if (vector instanceof VarCharVector v) {
      return (s, o, i) -> v.setSafe(i, s.getUTF8String(o).getBytes());
    } else if (vector instanceof LargeVarCharVector v) {
      return (s, o, i) -> v.setSafe(i, s.getUTF8String(o).getBytes());
    } else if (vector instanceof VarBinaryVector v) {
      return (s, o, i) -> v.setSafe(i, s.getBinary(o));
    } else if (vector instanceof LargeVarBinaryVector v) {
      return (s, o, i) -> v.setSafe(i, s.getBinary(o));
    } else if (vector instanceof DateDayVector v) {
      return (s, o, i) -> v.setSafe(i, s.getInt(o));
    } else if (vector instanceof TimeStampVector v) {
      ArrowType.Timestamp ts = (ArrowType.Timestamp) v.getField().getType();
      long mul =
          switch (ts.getUnit()) {
            case NANOSECOND -> 1000;
            default -> 1;
          };
      long div =
          switch (ts.getUnit()) {
            case SECOND -> 1_000_000;
            case MILLISECOND -> 1000;
            default -> 1;
          };
      return (s, o, i) -> v.setSafe(i, Math.floorDiv(s.getLong(o) * mul, div));
    }
    throw new MlobjException(
        MlobjException.Kind.INVALID_ARGUMENT,
        "Cannot write column '"
            + vector.getName()
            + "' of type "
            + vector.getField().getType()
            + " from Spark: the type is not supported for writing. Write it as another type.");
  }

  /** Tensor storage: Spark arrays or ML vectors of exactly prod(shape) elements. */
  private static final class TensorValues implements ValueWriter {
    private final FieldVector vector;
    private final FixedSizeListVector list;
    private final int size;
    private final Writer values;
    private final String shape;
    private final boolean mlVector;
    private final boolean singlePrecision;

    TensorValues(
        FieldVector vector,
        FixedSizeListVector list,
        FixedShapeTensorType tensor,
        boolean mlVector) {
      this.vector = vector;
      this.mlVector = mlVector;
      this.singlePrecision = list.getDataVector() instanceof Float4Vector;
      this.list = list;
      this.size = list.getListSize();
      FieldVector data = (FieldVector) list.getDataVector();
      this.values = new Writer(data, primitive(data));
      this.shape = tensor == null ? "[" + size + "]" : Arrays.toString(tensor.shape());
    }

    @Override
    public void write(SpecializedGetters src, int ordinal, int index) {
      ArrayData array;
      if (mlVector) {
        array = mlVectorValues(src.getStruct(ordinal, 4));
        if (singlePrecision) {
          double[] doubles = array.toDoubleArray();
          float[] floats = new float[doubles.length];
          for (int k = 0; k < floats.length; k++) {
            floats[k] = (float) doubles[k];
          }
          array = ArrayData.toArrayData(floats);
        }
      } else {
        array = src.getArray(ordinal);
      }
      if (array.numElements() != size) {
        throw new MlobjException(
            MlobjException.Kind.INVALID_ARGUMENT,
            "Cannot write tensor column '"
                + vector.getName()
                + "': a row has "
                + array.numElements()
                + " elements but shape "
                + shape
                + " needs "
                + size
                + ". Fix the data or declare the right shape with option(\"tensor."
                + vector.getName()
                + ".shape\", ...).");
      }
      list.setNotNull(index);
      int base = index * size;
      for (int j = 0; j < size; j++) {
        values.write(array, j, base + j);
      }
    }

    /** Spark ML's vector encoding: struct(type: 0 sparse / 1 dense, size, indices, values). */
    private static ArrayData mlVectorValues(InternalRow row) {
      ArrayData values = row.getArray(3);
      if (row.getByte(0) == 1) {
        return values;
      }
      double[] dense = new double[row.getInt(1)];
      ArrayData indices = row.getArray(2);
      for (int k = 0; k < indices.numElements(); k++) {
        dense[indices.getInt(k)] = values.getDouble(k);
      }
      return ArrayData.toArrayData(dense);
    }
  }
}
