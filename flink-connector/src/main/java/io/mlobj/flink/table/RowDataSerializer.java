package io.mlobj.flink.table;

import io.mlobj.flink.sink.ArrowRowSerializer;
import java.util.List;
import org.apache.arrow.vector.BaseFixedWidthVector;
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
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Writes Flink {@link RowData} into Arrow rows for the SQL sink. Columns are matched by position to
 * the row type and by name to the batch; each value is converted to the vector's type (so an {@code
 * ARRAY<FLOAT>} fills a float32 tensor, an {@code ARRAY<SMALLINT>} a uint8 tensor).
 */
public final class RowDataSerializer implements ArrowRowSerializer<RowData> {
  private static final long serialVersionUID = 1L;

  private final RowType rowType;
  private transient RowData.FieldGetter[] getters;
  private transient ValueWriter[] writers;

  public RowDataSerializer(RowType rowType) {
    this.rowType = rowType;
  }

  /** Writes one value into a vector at an index; value is Flink internal data, never null. */
  interface ValueWriter {
    void write(ValueVector vector, int index, Object value);
  }

  @Override
  public void write(RowData element, VectorSchemaRoot root, int row) {
    List<RowType.RowField> fields = rowType.getFields();
    if (getters == null) {
      getters = new RowData.FieldGetter[fields.size()];
      writers = new ValueWriter[fields.size()];
      for (int f = 0; f < getters.length; f++) {
        getters[f] = RowData.createFieldGetter(fields.get(f).getType(), f);
        writers[f] = writer(fields.get(f).getType());
      }
    }
    for (int f = 0; f < getters.length; f++) {
      FieldVector vector = root.getVector(fields.get(f).getName());
      Object value = getters[f].getFieldOrNull(element);
      set(writers[f], vector, row, value);
    }
  }

  private static void set(ValueWriter writer, ValueVector vector, int index, Object value) {
    if (value == null) {
      setNull(vector, index);
    } else {
      writer.write(vector, index, value);
    }
  }

  private static void setNull(ValueVector vector, int index) {
    ValueVector v =
        vector instanceof ExtensionTypeVector<?> ext ? ext.getUnderlyingVector() : vector;
    while (v.getValueCapacity() <= index) {
      v.reAlloc();
    }
    if (v instanceof BaseFixedWidthVector fixed) {
      fixed.setNull(index);
    } else if (v instanceof BaseVariableWidthVector var) {
      var.setNull(index);
    } else if (v instanceof BaseLargeVariableWidthVector var) {
      var.setNull(index);
    } else if (v instanceof ListVector list) {
      list.setNull(index);
    } else if (v instanceof FixedSizeListVector list) {
      list.setNull(index);
    } else if (v instanceof StructVector struct) {
      struct.setNull(index);
    }
  }

  private static ValueWriter writer(LogicalType type) {
    return switch (type.getTypeRoot()) {
      case TINYINT, SMALLINT, INTEGER, BIGINT, FLOAT, DOUBLE ->
          (v, i, value) -> setNumber(v, i, (Number) value);
      case BOOLEAN -> (v, i, value) -> ((BitVector) v).setSafe(i, (Boolean) value ? 1 : 0);
      case CHAR, VARCHAR -> (v, i, value) -> setBytes(v, i, ((StringData) value).toBytes());
      case BINARY, VARBINARY -> (v, i, value) -> setBytes(v, i, (byte[]) value);
      case DATE -> (v, i, value) -> ((DateDayVector) v).setSafe(i, (Integer) value);
      case TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE ->
          (v, i, value) -> setTimestamp((TimeStampVector) v, i, (TimestampData) value);
      case ARRAY -> array(((ArrayType) type).getElementType());
      case ROW -> row((RowType) type);
      default ->
          throw new IllegalArgumentException(
              "Cannot write Flink type " + type + " to Arrow: unsupported.");
    };
  }

  private static void setNumber(ValueVector v, int i, Number n) {
    if (v instanceof Float4Vector x) {
      x.setSafe(i, n.floatValue());
    } else if (v instanceof Float8Vector x) {
      x.setSafe(i, n.doubleValue());
    } else if (v instanceof IntVector x) {
      x.setSafe(i, n.intValue());
    } else if (v instanceof BigIntVector x) {
      x.setSafe(i, n.longValue());
    } else if (v instanceof SmallIntVector x) {
      x.setSafe(i, n.shortValue());
    } else if (v instanceof TinyIntVector x) {
      x.setSafe(i, n.byteValue());
    } else if (v instanceof UInt1Vector x) {
      x.setSafe(i, n.intValue());
    } else if (v instanceof UInt2Vector x) {
      x.setSafe(i, (char) n.intValue());
    } else if (v instanceof UInt4Vector x) {
      x.setSafe(i, (int) n.longValue());
    } else if (v instanceof UInt8Vector x) {
      x.setSafe(i, n.longValue());
    } else {
      throw new IllegalArgumentException(
          "Cannot write a number into Arrow vector " + v.getField() + ": not a numeric column.");
    }
  }

  private static void setBytes(ValueVector v, int i, byte[] bytes) {
    if (v instanceof BaseVariableWidthVector x) {
      x.setSafe(i, bytes);
    } else if (v instanceof BaseLargeVariableWidthVector x) {
      x.setSafe(i, bytes);
    } else {
      ((FixedSizeBinaryVector) v).setSafe(i, bytes);
    }
  }

  private static void setTimestamp(TimeStampVector v, int i, TimestampData ts) {
    TimeUnit unit = ((ArrowType.Timestamp) v.getField().getType()).getUnit();
    long millis = ts.getMillisecond();
    long nanos = ts.getNanoOfMillisecond();
    long value =
        switch (unit) {
          case SECOND -> Math.floorDiv(millis, 1000);
          case MILLISECOND -> millis;
          case MICROSECOND -> millis * 1000 + nanos / 1000;
          case NANOSECOND -> millis * 1_000_000 + nanos;
        };
    v.setSafe(i, value);
  }

  private static ValueWriter array(LogicalType elementType) {
    ArrayData.ElementGetter getter = ArrayData.createElementGetter(elementType);
    ValueWriter element = writer(elementType);
    return (v, i, value) -> {
      ArrayData array = (ArrayData) value;
      int n = array.size();
      ValueVector list = v instanceof ExtensionTypeVector<?> ext ? ext.getUnderlyingVector() : v;
      ValueVector data;
      int base;
      if (list instanceof FixedSizeListVector fixed) {
        if (n != fixed.getListSize()) {
          throw new IllegalArgumentException(
              "Cannot write "
                  + n
                  + " values into tensor column '"
                  + v.getField().getName()
                  + "': its shape holds "
                  + fixed.getListSize()
                  + " values.");
        }
        base = fixed.startNewValue(i);
        data = fixed.getDataVector();
      } else {
        ListVector listVector = (ListVector) list;
        base = listVector.startNewValue(i);
        data = listVector.getDataVector();
      }
      if (data instanceof Float4Vector floats
          && elementType.getTypeRoot()
              == org.apache.flink.table.types.logical.LogicalTypeRoot.FLOAT) {
        for (int k = 0; k < n; k++) {
          if (array.isNullAt(k)) {
            floats.setNull(base + k);
          } else {
            floats.setSafe(base + k, array.getFloat(k));
          }
        }
      } else {
        for (int k = 0; k < n; k++) {
          set(element, data, base + k, getter.getElementOrNull(array, k));
        }
      }
      if (list instanceof ListVector listVector) {
        listVector.endValue(i, n);
      }
    };
  }

  private static ValueWriter row(RowType type) {
    List<RowType.RowField> fields = type.getFields();
    RowData.FieldGetter[] getters = new RowData.FieldGetter[fields.size()];
    ValueWriter[] writers = new ValueWriter[fields.size()];
    for (int f = 0; f < getters.length; f++) {
      getters[f] = RowData.createFieldGetter(fields.get(f).getType(), f);
      writers[f] = writer(fields.get(f).getType());
    }
    return (v, i, value) -> {
      StructVector struct = (StructVector) v;
      RowData row = (RowData) value;
      struct.setIndexDefined(i);
      for (int f = 0; f < getters.length; f++) {
        set(
            writers[f],
            struct.getChild(fields.get(f).getName()),
            i,
            getters[f].getFieldOrNull(row));
      }
    };
  }
}
