package io.mlobj.spark.types;

import java.util.Arrays;
import java.util.Set;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.bitset.BitSetMethods;

/**
 * Hands out the arrays of one array column (tensors, fixed-size and plain lists of fixed-width
 * elements) as {@link UnsafeArrayData} in Spark's layout (element count, null bitset, values),
 * filled with bulk memory copies from the column's buffers.
 *
 * <p>Why: Spark turns rows into {@code UnsafeRow}s with a generated projection that copies an
 * {@code UnsafeArrayData} with one memory copy but any other array (such as the {@code
 * ColumnarArray} of a columnar batch) element by element. With cache-sized batches that per-element
 * loop is what is left of the cost of a tensor read (see docs/spark.md).
 *
 * <p>Usage: {@link #bind} to each batch's column, then {@link #get} per row. The returned array is
 * backed by one buffer reused for every row: it is valid until {@code get} is called for another
 * row, which is the lifetime Spark gives the values of a row returned by a partition reader. Not
 * thread-safe.
 */
public final class UnsafeArrayColumn {
  private static final long BASE = Platform.BYTE_ARRAY_OFFSET;

  private final DataType elementType;
  private final int elementSize;
  private final UnsafeArrayData array = new UnsafeArrayData();
  private byte[] buffer = new byte[256];
  private Source source;
  private int cachedRow = -1;
  private long copied;

  private UnsafeArrayColumn(DataType elementType, int elementSize) {
    this.elementType = elementType;
    this.elementSize = elementSize;
  }

  /** A copier for arrays of this type, or null when the elements are not fixed-width. */
  public static UnsafeArrayColumn forType(DataType type) {
    if (!(type instanceof ArrayType a)) {
      return null;
    }
    int size = elementSize(a.elementType());
    return size == 0 ? null : new UnsafeArrayColumn(a.elementType(), size);
  }

  /** Whether {@link #forType} supports this type. */
  public static boolean supports(DataType type) {
    return type instanceof ArrayType a && elementSize(a.elementType()) != 0;
  }

  private static int elementSize(DataType t) {
    if (t instanceof BooleanType || t instanceof ByteType) {
      return 1;
    } else if (t instanceof ShortType) {
      return 2;
    } else if (t instanceof IntegerType || t instanceof FloatType || t instanceof DateType) {
      return 4;
    } else if (t instanceof LongType
        || t instanceof DoubleType
        || t instanceof TimestampType
        || t instanceof TimestampNTZType) {
      return 8;
    }
    return 0;
  }

  /**
   * Points this copier at one batch's column. Returns false when the column's vectors have no bulk
   * path (the caller then uses the column's own arrays).
   */
  public boolean bind(ColumnVector column) {
    cachedRow = -1;
    source = null;
    if (column instanceof ArrowColumns.FixedSizeListColumn fixed) {
      FixedSizeListVector list = fixed.list();
      source = ArrowSource.of(list.getDataVector(), elementType, list.getListSize(), 0);
    } else if (column instanceof ArrowColumnVector arrow
        && arrow.getValueVector() instanceof ListVector list) {
      source =
          ArrowSource.of(
              list.getDataVector(), elementType, -1, list.getOffsetBuffer().memoryAddress());
    } else if (column instanceof WritableColumnVector spark
        && elementType.sameType(spark.arrayData().dataType())) {
      source = new SparkSource(spark);
    }
    return source != null;
  }

  /** The array of row {@code rowId} of the bound column; the row must not be null. */
  public ArrayData get(int rowId) {
    if (rowId != cachedRow) {
      source.fill(this, rowId);
      cachedRow = rowId;
      copied++;
    }
    return array;
  }

  /** How many arrays were copied so far. */
  public long copied() {
    return copied;
  }

  /**
   * Sizes the buffer for {@code n} elements, writes the count, clears the null bits and the padding
   * (UnsafeArrayData is compared and hashed byte by byte), and returns the values offset.
   */
  private long start(int n) {
    int header = UnsafeArrayData.calculateHeaderPortionInBytes(n);
    int values = (int) (((long) n * elementSize + 7) / 8 * 8);
    int total = header + values;
    if (buffer.length < total) {
      buffer = new byte[Math.max(total, buffer.length * 2)];
    }
    Arrays.fill(buffer, 0, header, (byte) 0);
    Arrays.fill(buffer, header + n * elementSize, total, (byte) 0);
    Platform.putLong(buffer, BASE, n);
    array.pointTo(buffer, BASE, total);
    return BASE + header;
  }

  private void setNull(int i, long valuesOffset) {
    BitSetMethods.set(buffer, BASE + 8, i);
    Platform.setMemory(buffer, valuesOffset + (long) i * elementSize, elementSize, (byte) 0);
  }

  private interface Source {
    void fill(UnsafeArrayColumn out, int rowId);
  }

  /** Arrow element vectors: straight from the data buffer, widening unsigned and bit values. */
  private static final class ArrowSource implements Source {
    private enum Kind {
      COPY,
      UINT8,
      UINT16,
      UINT32,
      BIT
    }

    private final ValueVector data;
    private final Kind kind;
    private final int width;
    private final int listSize;
    private final long offsets;
    private final boolean hasNulls;

    private ArrowSource(ValueVector data, Kind kind, int width, int listSize, long offsets) {
      this.data = data;
      // Counted once per batch: getNullCount() scans the whole validity buffer.
      this.hasNulls = data.getNullCount() > 0;
      this.kind = kind;
      this.width = width;
      this.listSize = listSize;
      this.offsets = offsets;
    }

    /** Vectors whose data buffer holds exactly the bytes of Spark's values (no widening). */
    private static final Set<Class<?>> SAME_LAYOUT =
        Set.of(
            Float4Vector.class,
            Float8Vector.class,
            IntVector.class,
            BigIntVector.class,
            UInt8Vector.class,
            SmallIntVector.class,
            TinyIntVector.class,
            DateDayVector.class,
            TimeStampMicroTZVector.class,
            TimeStampMicroVector.class);

    /** Null when the vector's values are not what Spark expects for {@code elementType}. */
    static ArrowSource of(ValueVector data, DataType elementType, int listSize, long offsets) {
      Kind kind;
      if (data instanceof UInt1Vector) {
        kind = Kind.UINT8;
      } else if (data instanceof UInt2Vector) {
        kind = Kind.UINT16;
      } else if (data instanceof UInt4Vector) {
        kind = Kind.UINT32;
      } else if (data instanceof BitVector) {
        kind = Kind.BIT;
      } else if (SAME_LAYOUT.contains(data.getClass())) {
        kind = Kind.COPY;
      } else {
        return null;
      }
      // The Spark type the schema gives these values (unsigned ints widen to the next type).
      DataType expected = SparkSchemas.toSpark(data.getField()).dataType();
      if (!expected.sameType(elementType)) {
        return null;
      }
      int width = kind == Kind.BIT ? 0 : ((BaseFixedWidthVector) data).getTypeWidth();
      return new ArrowSource(data, kind, width, listSize, offsets);
    }

    @Override
    public void fill(UnsafeArrayColumn out, int rowId) {
      int first;
      int n;
      if (listSize >= 0) {
        first = rowId * listSize;
        n = listSize;
      } else {
        first = Platform.getInt(null, offsets + (long) rowId * 4);
        n = Platform.getInt(null, offsets + (long) rowId * 4 + 4) - first;
      }
      // Buffer addresses are read per fill: cheap, and safe if the reader reallocates vectors.
      long src = ((BaseFixedWidthVector) data).getDataBuffer().memoryAddress();
      long dst = out.start(n);
      byte[] buf = out.buffer;
      switch (kind) {
        case COPY ->
            Platform.copyMemory(null, src + (long) first * width, buf, dst, (long) n * width);
        case UINT8 -> {
          for (int i = 0; i < n; i++) {
            Platform.putShort(
                buf, dst + 2L * i, (short) (Platform.getByte(null, src + first + i) & 0xff));
          }
        }
        case UINT16 -> {
          for (int i = 0; i < n; i++) {
            Platform.putInt(
                buf, dst + 4L * i, Platform.getShort(null, src + 2L * (first + i)) & 0xffff);
          }
        }
        case UINT32 -> {
          for (int i = 0; i < n; i++) {
            Platform.putLong(
                buf, dst + 8L * i, Platform.getInt(null, src + 4L * (first + i)) & 0xffffffffL);
          }
        }
        case BIT -> {
          for (int i = 0; i < n; i++) {
            Platform.putBoolean(buf, dst + i, bit(src, first + i));
          }
        }
        default -> throw new IllegalStateException(kind.name());
      }
      if (hasNulls) {
        long validity = ((BaseFixedWidthVector) data).getValidityBuffer().memoryAddress();
        for (int i = 0; i < n; i++) {
          if (!bit(validity, first + i)) {
            out.setNull(i, dst);
          }
        }
      }
    }

    private static boolean bit(long address, int index) {
      return ((Platform.getByte(null, address + (index >>> 3)) >>> (index & 7)) & 1) != 0;
    }
  }

  /** Spark's own column vectors (its vectorized Parquet reader): bulk getters per type. */
  private static final class SparkSource implements Source {
    private final WritableColumnVector list;
    private final WritableColumnVector values;

    private final boolean hasNulls;

    SparkSource(WritableColumnVector list) {
      this.list = list;
      this.values = list.arrayData();
      this.hasNulls = values.hasNull();
    }

    @Override
    public void fill(UnsafeArrayColumn out, int rowId) {
      int first = list.getArrayOffset(rowId);
      int n = list.getArrayLength(rowId);
      long dst = out.start(n);
      byte[] buf = out.buffer;
      DataType t = out.elementType;
      Object src;
      long srcOffset;
      if (t instanceof FloatType) {
        src = values.getFloats(first, n);
        srcOffset = Platform.FLOAT_ARRAY_OFFSET;
      } else if (t instanceof DoubleType) {
        src = values.getDoubles(first, n);
        srcOffset = Platform.DOUBLE_ARRAY_OFFSET;
      } else if (t instanceof IntegerType || t instanceof DateType) {
        src = values.getInts(first, n);
        srcOffset = Platform.INT_ARRAY_OFFSET;
      } else if (t instanceof LongType) {
        src = values.getLongs(first, n);
        srcOffset = Platform.LONG_ARRAY_OFFSET;
      } else if (t instanceof ShortType) {
        src = values.getShorts(first, n);
        srcOffset = Platform.SHORT_ARRAY_OFFSET;
      } else if (t instanceof ByteType) {
        src = values.getBytes(first, n);
        srcOffset = Platform.BYTE_ARRAY_OFFSET;
      } else if (t instanceof BooleanType) {
        src = values.getBooleans(first, n);
        srcOffset = Platform.BOOLEAN_ARRAY_OFFSET;
      } else {
        // Timestamps: no bulk getter.
        for (int i = 0; i < n; i++) {
          Platform.putLong(buf, dst + 8L * i, values.getLong(first + i));
        }
        src = null;
        srcOffset = 0;
      }
      if (src != null) {
        Platform.copyMemory(src, srcOffset, buf, dst, (long) n * out.elementSize);
      }
      if (hasNulls) {
        for (int i = 0; i < n; i++) {
          if (values.isNullAt(first + i)) {
            out.setNull(i, dst);
          }
        }
      }
    }
  }
}
