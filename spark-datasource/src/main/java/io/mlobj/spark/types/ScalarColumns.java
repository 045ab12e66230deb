package io.mlobj.spark.types;

import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Spark views of flat Arrow vectors that read values and validity bits straight from the buffers'
 * memory, for the scans Spark turns into rows value by value ({@code ColumnarToRow}).
 *
 * <p>Why not Spark's {@code ArrowColumnVector}: every {@code isNullAt} and {@code getX} goes
 * through an accessor to the Arrow vector, which checks bounds and reference counts and re-reads
 * the validity buffer per value; a profile of a 20-column scan through the kernel's Parquet reader
 * spent more task time there than in decoding. These views take each buffer's address once per
 * batch (the reader reuses vectors, and a batch is only valid until the next one) and answer {@code
 * isNullAt} without touching memory when the batch has no nulls, as Spark's own Parquet reader's
 * column vectors do.
 */
final class ScalarColumns {
  private ScalarColumns() {}

  /** A view of {@code vector}, or null when it is not a flat type these views cover. */
  static ColumnVector of(FieldVector vector) {
    if (vector instanceof Float8Vector v) {
      return new DoubleColumn(v);
    } else if (vector instanceof BigIntVector
        || vector instanceof TimeStampMicroTZVector
        || vector instanceof TimeStampMicroVector) {
      return new LongColumn((BaseFixedWidthVector) vector, sparkType(vector));
    } else if (vector instanceof IntVector || vector instanceof DateDayVector) {
      return new IntColumn((BaseFixedWidthVector) vector, sparkType(vector));
    } else if (vector instanceof Float4Vector v) {
      return new FloatColumn(v);
    } else if (vector instanceof SmallIntVector v) {
      return new ShortColumn(v);
    } else if (vector instanceof TinyIntVector v) {
      return new ByteColumn(v);
    } else if (vector instanceof BitVector v) {
      return new BooleanColumn(v);
    } else if (vector instanceof VarCharVector v) {
      return new BytesColumn(v, DataTypes.StringType, v.getOffsetBuffer().memoryAddress());
    } else if (vector instanceof VarBinaryVector v) {
      return new BytesColumn(v, DataTypes.BinaryType, v.getOffsetBuffer().memoryAddress());
    }
    return null;
  }

  private static DataType sparkType(FieldVector vector) {
    if (vector instanceof DateDayVector) {
      return DataTypes.DateType;
    } else if (vector instanceof TimeStampMicroTZVector) {
      return DataTypes.TimestampType;
    } else if (vector instanceof TimeStampMicroVector) {
      return DataTypes.TimestampNTZType;
    } else if (vector instanceof IntVector) {
      return DataTypes.IntegerType;
    }
    return DataTypes.LongType;
  }

  /** Validity from the bitmap (bit set = value present), skipped when the batch has no nulls. */
  private abstract static class Flat extends ArrowView {
    private final boolean noNulls;
    private final long validity;
    final long data;

    Flat(DataType type, FieldVector vector, long data) {
      super(type, vector);
      this.noNulls = vector.getNullCount() == 0;
      // An all-valid vector may have no validity buffer at all (capacity 0): never read it then.
      this.validity = noNulls ? 0 : vector.getValidityBuffer().memoryAddress();
      this.data = data;
    }

    @Override
    public final boolean hasNull() {
      return !noNulls;
    }

    @Override
    public final boolean isNullAt(int rowId) {
      return !noNulls && (MemoryUtil.getByte(validity + (rowId >>> 3)) & (1 << (rowId & 7))) == 0;
    }
  }

  // Arrow buffers are little-endian (the format requires it) and so is every platform Spark's
  // Unsafe-based code runs on; values are read as Arrow's own unchecked accessors read them.

  static final class DoubleColumn extends Flat {
    DoubleColumn(Float8Vector v) {
      super(DataTypes.DoubleType, v, v.getDataBuffer().memoryAddress());
    }

    @Override
    public double getDouble(int rowId) {
      return Double.longBitsToDouble(MemoryUtil.getLong(data + ((long) rowId << 3)));
    }
  }

  static final class FloatColumn extends Flat {
    FloatColumn(Float4Vector v) {
      super(DataTypes.FloatType, v, v.getDataBuffer().memoryAddress());
    }

    @Override
    public float getFloat(int rowId) {
      return Float.intBitsToFloat(MemoryUtil.getInt(data + ((long) rowId << 2)));
    }
  }

  static final class LongColumn extends Flat {
    LongColumn(BaseFixedWidthVector v, DataType type) {
      super(type, v, v.getDataBuffer().memoryAddress());
    }

    @Override
    public long getLong(int rowId) {
      return MemoryUtil.getLong(data + ((long) rowId << 3));
    }
  }

  static final class IntColumn extends Flat {
    IntColumn(BaseFixedWidthVector v, DataType type) {
      super(type, v, v.getDataBuffer().memoryAddress());
    }

    @Override
    public int getInt(int rowId) {
      return MemoryUtil.getInt(data + ((long) rowId << 2));
    }
  }

  static final class ShortColumn extends Flat {
    ShortColumn(SmallIntVector v) {
      super(DataTypes.ShortType, v, v.getDataBuffer().memoryAddress());
    }

    @Override
    public short getShort(int rowId) {
      return MemoryUtil.getShort(data + ((long) rowId << 1));
    }
  }

  static final class ByteColumn extends Flat {
    ByteColumn(TinyIntVector v) {
      super(DataTypes.ByteType, v, v.getDataBuffer().memoryAddress());
    }

    @Override
    public byte getByte(int rowId) {
      return MemoryUtil.getByte(data + rowId);
    }
  }

  /** Booleans are bits, like validity. */
  static final class BooleanColumn extends Flat {
    BooleanColumn(BitVector v) {
      super(DataTypes.BooleanType, v, v.getDataBuffer().memoryAddress());
    }

    @Override
    public boolean getBoolean(int rowId) {
      return (MemoryUtil.getByte(data + (rowId >>> 3)) & (1 << (rowId & 7))) != 0;
    }
  }

  /**
   * Strings and binaries: value i is data[offset[i], offset[i+1]). Strings are handed to Spark as
   * {@link UTF8String}s pointing into the Arrow buffer (no copy), as {@code ArrowColumnVector}
   * does.
   */
  static final class BytesColumn extends Flat {
    private final long offsets;

    BytesColumn(FieldVector v, DataType type, long offsets) {
      super(type, v, v.getDataBuffer().memoryAddress());
      this.offsets = offsets;
    }

    @Override
    public UTF8String getUTF8String(int rowId) {
      if (isNullAt(rowId)) {
        return null;
      }
      long at = offsets + ((long) rowId << 2);
      int start = MemoryUtil.getInt(at);
      return UTF8String.fromAddress(null, data + start, MemoryUtil.getInt(at + 4) - start);
    }

    @Override
    public byte[] getBinary(int rowId) {
      if (isNullAt(rowId)) {
        return null;
      }
      long at = offsets + ((long) rowId << 2);
      int start = MemoryUtil.getInt(at);
      byte[] out = new byte[MemoryUtil.getInt(at + 4) - start];
      MemoryUtil.copyFromMemory(data + start, out, 0, out.length);
      return out;
    }
  }
}
