package io.mlobj.spark.types;

import java.util.List;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Exposes Arrow batches to Spark as {@link ColumnarBatch}es without copying: direct views of flat
 * numbers, booleans, dates, microsecond timestamps, strings and binaries ({@link ScalarColumns}),
 * small views for what Spark's {@link ArrowColumnVector} does not know (tensors and other
 * fixed-size lists, unsigned integers, fixed-size binary, non-microsecond timestamps), and {@link
 * ArrowColumnVector} for the rest (lists, structs, maps, decimals).
 */
public final class ArrowColumns {
  private ArrowColumns() {}

  /** A batch over the root's vectors; valid as long as the root's contents are. */
  public static ColumnarBatch batch(VectorSchemaRoot root) {
    List<FieldVector> vectors = root.getFieldVectors();
    ColumnVector[] columns = new ColumnVector[vectors.size()];
    for (int i = 0; i < columns.length; i++) {
      columns[i] = column(vectors.get(i));
    }
    return new ColumnarBatch(columns, root.getRowCount());
  }

  /** A Spark view of one vector. */
  public static ColumnVector column(ValueVector vector) {
    if (vector instanceof ExtensionTypeVector<?> ext) {
      return column(ext.getUnderlyingVector());
    }
    if (vector instanceof FixedSizeListVector list) {
      ValueVector data = list.getDataVector();
      ColumnVector values =
          data.getNullCount() == 0 && data instanceof BaseFixedWidthVector fixed
              ? DenseValues.of(fixed)
              : null;
      return new FixedSizeListColumn(list, values != null ? values : column(data));
    }
    if (vector instanceof UInt1Vector
        || vector instanceof UInt2Vector
        || vector instanceof UInt4Vector
        || vector instanceof UInt8Vector
        || vector instanceof FixedSizeBinaryVector
        || (vector instanceof TimeStampVector
            && !(vector instanceof TimeStampMicroTZVector)
            && !(vector instanceof TimeStampMicroVector))) {
      return new ConvertingColumn(vector);
    }
    ColumnVector flat = vector instanceof FieldVector f ? ScalarColumns.of(f) : null;
    return flat != null ? flat : new ArrowColumnVector(vector);
  }

  /** A fixed-size list (tensor storage): row i is elements [i*size, (i+1)*size) of the values. */
  static final class FixedSizeListColumn extends ArrowView {
    private final int size;
    private final ColumnVector values;

    FixedSizeListColumn(FixedSizeListVector list, ColumnVector values) {
      super(DataTypes.createArrayType(values.dataType(), false), list);
      this.size = list.getListSize();
      this.values = values;
    }

    @Override
    public ColumnarArray getArray(int rowId) {
      return new ColumnarArray(values, rowId * size, size);
    }

    /** The Arrow list vector this column views. */
    FixedSizeListVector list() {
      return (FixedSizeListVector) vector;
    }
  }

  /**
   * Tensor elements without nulls, read straight from the Arrow data buffer (little-endian, as
   * Arrow requires): no per-element validity checks or accessor indirection, and bulk copies for
   * Spark's {@code getFloats}-style calls.
   */
  static final class DenseValues extends ArrowView {
    private final org.apache.arrow.memory.ArrowBuf data;
    private final long address;
    private final boolean unsignedByte;

    private DenseValues(DataType type, BaseFixedWidthVector vector) {
      super(type, vector);
      this.data = vector.getDataBuffer();
      this.address = data.memoryAddress();
      this.unsignedByte = vector instanceof UInt1Vector;
    }

    static DenseValues of(BaseFixedWidthVector vector) {
      DataType type;
      if (vector instanceof org.apache.arrow.vector.Float4Vector) {
        type = DataTypes.FloatType;
      } else if (vector instanceof org.apache.arrow.vector.Float8Vector) {
        type = DataTypes.DoubleType;
      } else if (vector instanceof org.apache.arrow.vector.IntVector) {
        type = DataTypes.IntegerType;
      } else if (vector instanceof BigIntVector) {
        type = DataTypes.LongType;
      } else if (vector instanceof org.apache.arrow.vector.SmallIntVector) {
        type = DataTypes.ShortType;
      } else if (vector instanceof org.apache.arrow.vector.TinyIntVector) {
        type = DataTypes.ByteType;
      } else if (vector instanceof UInt1Vector) {
        type = DataTypes.ShortType;
      } else {
        return null;
      }
      return new DenseValues(type, vector);
    }

    @Override
    public boolean hasNull() {
      return false;
    }

    @Override
    public int numNulls() {
      return 0;
    }

    @Override
    public boolean isNullAt(int rowId) {
      return false;
    }

    // Unchecked reads: the data buffer holds listSize * rows values and Spark only asks for
    // elements of ColumnarArrays built by FixedSizeListColumn from those bounds.
    @Override
    public float getFloat(int rowId) {
      return Float.intBitsToFloat(MemoryUtil.getInt(address + (long) rowId * 4));
    }

    @Override
    public float[] getFloats(int rowId, int count) {
      float[] out = new float[count];
      data.nioBuffer((long) rowId * 4, count * 4)
          .order(java.nio.ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer()
          .get(out);
      return out;
    }

    @Override
    public double getDouble(int rowId) {
      return Double.longBitsToDouble(MemoryUtil.getLong(address + (long) rowId * 8));
    }

    @Override
    public double[] getDoubles(int rowId, int count) {
      double[] out = new double[count];
      data.nioBuffer((long) rowId * 8, count * 8)
          .order(java.nio.ByteOrder.LITTLE_ENDIAN)
          .asDoubleBuffer()
          .get(out);
      return out;
    }

    @Override
    public int getInt(int rowId) {
      return MemoryUtil.getInt(address + (long) rowId * 4);
    }

    @Override
    public long getLong(int rowId) {
      return MemoryUtil.getLong(address + (long) rowId * 8);
    }

    @Override
    public short getShort(int rowId) {
      if (unsignedByte) {
        return (short) (MemoryUtil.getByte(address + rowId) & 0xff);
      }
      return MemoryUtil.getShort(address + (long) rowId * 2);
    }

    @Override
    public byte getByte(int rowId) {
      return MemoryUtil.getByte(address + rowId);
    }
  }

  /** Unsigned integers widened, fixed-size binary, and timestamps converted to microseconds. */
  static final class ConvertingColumn extends ArrowView {
    private final long toMicrosNum;
    private final long toMicrosDen;

    ConvertingColumn(ValueVector vector) {
      super(typeOf(vector), vector);
      long num = 1;
      long den = 1;
      if (vector.getField().getType() instanceof ArrowType.Timestamp ts) {
        TimeUnit unit = ts.getUnit();
        switch (unit) {
          case SECOND -> num = 1_000_000;
          case MILLISECOND -> num = 1_000;
          case NANOSECOND -> den = 1_000;
          default -> {}
        }
      }
      this.toMicrosNum = num;
      this.toMicrosDen = den;
    }

    private static DataType typeOf(ValueVector vector) {
      if (vector instanceof UInt1Vector) {
        return DataTypes.ShortType;
      } else if (vector instanceof UInt2Vector) {
        return DataTypes.IntegerType;
      } else if (vector instanceof UInt4Vector || vector instanceof UInt8Vector) {
        return DataTypes.LongType;
      } else if (vector instanceof FixedSizeBinaryVector) {
        return DataTypes.BinaryType;
      }
      return ((ArrowType.Timestamp) vector.getField().getType()).getTimezone() == null
          ? DataTypes.TimestampNTZType
          : DataTypes.TimestampType;
    }

    @Override
    public short getShort(int rowId) {
      return (short) (((UInt1Vector) vector).get(rowId) & 0xff);
    }

    @Override
    public int getInt(int rowId) {
      return ((UInt2Vector) vector).get(rowId);
    }

    @Override
    public long getLong(int rowId) {
      if (vector instanceof UInt4Vector v) {
        return v.get(rowId) & 0xffffffffL;
      } else if (vector instanceof UInt8Vector v) {
        return v.get(rowId);
      } else if (vector instanceof BigIntVector v) {
        return v.get(rowId);
      }
      long raw = ((TimeStampVector) vector).get(rowId);
      return raw * toMicrosNum / toMicrosDen;
    }

    @Override
    public byte[] getBinary(int rowId) {
      return ((FixedSizeBinaryVector) vector).get(rowId);
    }
  }
}
