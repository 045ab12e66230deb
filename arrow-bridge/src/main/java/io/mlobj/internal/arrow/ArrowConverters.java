package io.mlobj.internal.arrow;

import java.util.List;
import java.util.function.IntSupplier;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.Type;

/**
 * parquet-mr converters that assemble records straight into Arrow vectors: every converter writes
 * at an index given by its parent (the row for top-level columns, the running element index inside
 * lists), so no intermediate row objects exist.
 */
public final class ArrowConverters {
  private ArrowConverters() {}

  /** The converter for {@code vector}, reading the Parquet {@code type}. */
  public static Converter forVector(ValueVector vector, Type type, IntSupplier index) {
    if (vector instanceof ExtensionTypeVector<?> ext) {
      return forVector(ext.getUnderlyingVector(), type, index);
    }
    if (vector instanceof ListVector
        || vector instanceof LargeListVector
        || vector instanceof FixedSizeListVector) {
      return new ListConverter((FieldVector) vector, type.asGroupType(), index);
    }
    if (vector instanceof StructVector struct) {
      return new StructConverter(struct, type.asGroupType(), index);
    }
    return primitive(vector, index);
  }

  private static PrimitiveConverter primitive(ValueVector v, IntSupplier index) {
    if (v instanceof IntVector x) {
      return new PrimitiveConverter() {
        @Override
        public void addInt(int value) {
          x.setSafe(index.getAsInt(), value);
        }
      };
    }
    if (v instanceof BigIntVector x) {
      return new PrimitiveConverter() {
        @Override
        public void addLong(long value) {
          x.setSafe(index.getAsInt(), value);
        }

        @Override
        public void addInt(int value) {
          x.setSafe(index.getAsInt(), value);
        }
      };
    }
    if (v instanceof Float4Vector x) {
      return new PrimitiveConverter() {
        @Override
        public void addFloat(float value) {
          x.setSafe(index.getAsInt(), value);
        }
      };
    }
    if (v instanceof Float8Vector x) {
      return new PrimitiveConverter() {
        @Override
        public void addDouble(double value) {
          x.setSafe(index.getAsInt(), value);
        }

        @Override
        public void addFloat(float value) {
          x.setSafe(index.getAsInt(), value);
        }
      };
    }
    if (v instanceof BitVector x) {
      return new PrimitiveConverter() {
        @Override
        public void addBoolean(boolean value) {
          x.setSafe(index.getAsInt(), value ? 1 : 0);
        }
      };
    }
    if (v instanceof TinyIntVector x) {
      return intConverter(value -> x.setSafe(index.getAsInt(), (byte) value));
    }
    if (v instanceof SmallIntVector x) {
      return intConverter(value -> x.setSafe(index.getAsInt(), (short) value));
    }
    if (v instanceof UInt1Vector x) {
      return intConverter(value -> x.setSafe(index.getAsInt(), value));
    }
    if (v instanceof UInt2Vector x) {
      return intConverter(value -> x.setSafe(index.getAsInt(), value));
    }
    if (v instanceof UInt4Vector x) {
      return intConverter(value -> x.setSafe(index.getAsInt(), value));
    }
    if (v instanceof DateDayVector x) {
      return intConverter(value -> x.setSafe(index.getAsInt(), value));
    }
    if (v instanceof UInt8Vector x) {
      return new PrimitiveConverter() {
        @Override
        public void addLong(long value) {
          x.setSafe(index.getAsInt(), value);
        }
      };
    }
    if (v instanceof TimeStampVector x) {
      return new PrimitiveConverter() {
        @Override
        public void addLong(long value) {
          x.setSafe(index.getAsInt(), value);
        }
      };
    }
    if (v instanceof FixedSizeBinaryVector x) {
      return new PrimitiveConverter() {
        @Override
        public void addBinary(Binary value) {
          x.setSafe(index.getAsInt(), value.getBytesUnsafe());
        }
      };
    }
    if (v instanceof BaseVariableWidthVector x) {
      return new PrimitiveConverter() {
        @Override
        public void addBinary(Binary value) {
          java.nio.ByteBuffer buffer = value.toByteBuffer();
          x.setSafe(index.getAsInt(), buffer, buffer.position(), buffer.remaining());
        }
      };
    }
    if (v instanceof BaseLargeVariableWidthVector x) {
      return new PrimitiveConverter() {
        @Override
        public void addBinary(Binary value) {
          java.nio.ByteBuffer buffer = value.toByteBuffer();
          x.setSafe(index.getAsInt(), buffer, buffer.position(), buffer.remaining());
        }
      };
    }
    throw new IllegalArgumentException(
        "Cannot read Parquet into column '" + v.getName() + "' of type " + v.getMinorType());
  }

  private interface IntSink {
    void accept(int value);
  }

  private static PrimitiveConverter intConverter(IntSink sink) {
    return new PrimitiveConverter() {
      @Override
      public void addInt(int value) {
        sink.accept(value);
      }
    };
  }

  /** Root converter: one child per requested top-level column; counts rows. */
  public static final class RootConverter extends GroupConverter {
    private final Converter[] children;
    private int row;

    RootConverter(List<FieldVector> vectors, GroupType requested) {
      children = new Converter[requested.getFieldCount()];
      for (int i = 0; i < children.length; i++) {
        Type type = requested.getType(i);
        FieldVector vector =
            vectors.stream()
                .filter(v -> v.getName().equals(type.getName()))
                .findFirst()
                .orElseThrow();
        children[i] = forVector(vector, type, this::row);
      }
    }

    int row() {
      return row;
    }

    void reset() {
      row = 0;
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return children[fieldIndex];
    }

    @Override
    public void start() {}

    @Override
    public void end() {
      row++;
    }
  }

  /** Three-level LIST group into a list, large list or fixed-size list vector. */
  private static final class ListConverter extends GroupConverter {
    private final FieldVector vector;
    private final IntSupplier index;
    private final GroupConverter repeated;
    private long firstElement;
    private long nextElement;

    ListConverter(FieldVector vector, GroupType listGroup, IntSupplier index) {
      this.vector = vector;
      this.index = index;
      GroupType repeatedType = listGroup.getType(0).asGroupType();
      ValueVector data =
          vector instanceof FixedSizeListVector f
              ? f.getDataVector()
              : vector instanceof LargeListVector l
                  ? l.getDataVector()
                  : ((ListVector) vector).getDataVector();
      Converter element = forVector(data, repeatedType.getType(0), () -> (int) nextElement);
      this.repeated =
          new GroupConverter() {
            @Override
            public Converter getConverter(int fieldIndex) {
              return element;
            }

            @Override
            public void start() {}

            @Override
            public void end() {
              nextElement++;
            }
          };
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return repeated;
    }

    @Override
    public void start() {
      int i = index.getAsInt();
      if (vector instanceof ListVector l) {
        firstElement = l.startNewValue(i);
      } else if (vector instanceof LargeListVector l) {
        firstElement = l.startNewValue(i);
      } else {
        firstElement = ((FixedSizeListVector) vector).startNewValue(i);
      }
      nextElement = firstElement;
    }

    @Override
    public void end() {
      int i = index.getAsInt();
      long count = nextElement - firstElement;
      if (vector instanceof ListVector l) {
        l.endValue(i, (int) count);
      } else if (vector instanceof LargeListVector l) {
        l.endValue(i, count);
      } else {
        FixedSizeListVector f = (FixedSizeListVector) vector;
        if (count != f.getListSize()) {
          throw new IllegalStateException(
              "Cannot read column '"
                  + vector.getName()
                  + "': row "
                  + i
                  + " has "
                  + count
                  + " elements, the fixed-size list/tensor needs "
                  + f.getListSize());
        }
      }
    }
  }

  /** A Parquet group into a struct vector. */
  private static final class StructConverter extends GroupConverter {
    private final StructVector vector;
    private final IntSupplier index;
    private final Converter[] children;

    StructConverter(StructVector vector, GroupType group, IntSupplier index) {
      this.vector = vector;
      this.index = index;
      this.children = new Converter[group.getFieldCount()];
      for (int i = 0; i < children.length; i++) {
        Type type = group.getType(i);
        ValueVector child = vector.getChild(type.getName());
        if (child == null) {
          throw new IllegalArgumentException(
              "Cannot read struct field '"
                  + type.getName()
                  + "' of column '"
                  + vector.getName()
                  + "'");
        }
        children[i] = forVector(child, type, index);
      }
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return children[fieldIndex];
    }

    @Override
    public void start() {
      vector.setIndexDefined(index.getAsInt());
    }

    @Override
    public void end() {}
  }
}
