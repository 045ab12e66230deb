package io.mlobj.flink.table;

import java.util.List;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.BaseRepeatedValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/** Reads Arrow values as Flink's internal data structures ({@code RowData} field values). */
final class ArrowReaders {
  private ArrowReaders() {}

  /** Reads one value of a vector as Flink internal data of {@code type}. */
  interface ValueReader {
    Object read(ValueVector vector, int index);
  }

  /** A reader producing values of the Flink {@code type} from vectors of one Arrow type. */
  static ValueReader forType(LogicalType type) {
    ValueReader reader = raw(type);
    return (vector, index) -> vector.isNull(index) ? null : reader.read(vector, index);
  }

  private static ValueReader raw(LogicalType type) {
    return switch (type.getTypeRoot()) {
      case TINYINT -> (v, i) -> ((Number) number(v, i)).byteValue();
      case SMALLINT -> (v, i) -> ((Number) number(v, i)).shortValue();
      case INTEGER -> (v, i) -> ((Number) number(v, i)).intValue();
      case BIGINT -> (v, i) -> ((Number) number(v, i)).longValue();
      case FLOAT -> (v, i) -> ((Number) number(v, i)).floatValue();
      case DOUBLE -> (v, i) -> ((Number) number(v, i)).doubleValue();
      case BOOLEAN -> (v, i) -> ((BitVector) v).get(i) != 0;
      case CHAR, VARCHAR -> (v, i) -> StringData.fromBytes(bytes(v, i));
      case BINARY, VARBINARY -> ArrowReaders::bytes;
      case DATE ->
          (v, i) ->
              v instanceof DateMilliVector d
                  ? (int) (d.get(i) / 86_400_000L)
                  : ((DateDayVector) v).get(i);
      case TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE -> ArrowReaders::timestamp;
      case ARRAY -> array(((ArrayType) type).getElementType());
      case ROW -> row((RowType) type);
      default ->
          throw new IllegalArgumentException(
              "Cannot read Flink type " + type + " from Arrow: unsupported.");
    };
  }

  private static Object number(ValueVector v, int i) {
    if (v instanceof Float4Vector f) {
      return f.get(i);
    }
    if (v instanceof Float8Vector f) {
      return f.get(i);
    }
    if (v instanceof UInt1Vector u) {
      return u.get(i) & 0xff;
    }
    if (v instanceof UInt2Vector u) {
      return (int) u.get(i);
    }
    if (v instanceof UInt4Vector u) {
      return u.get(i) & 0xffffffffL;
    }
    return ((BaseIntVector) v).getValueAsLong(i);
  }

  private static byte[] bytes(ValueVector v, int i) {
    if (v instanceof BaseVariableWidthVector b) {
      return b.get(i);
    }
    if (v instanceof BaseLargeVariableWidthVector b) {
      return b.get(i);
    }
    return ((FixedSizeBinaryVector) v).get(i);
  }

  private static Object timestamp(ValueVector v, int i) {
    TimeStampVector ts = (TimeStampVector) v;
    long value = ts.get(i);
    TimeUnit unit = ((ArrowType.Timestamp) ts.getField().getType()).getUnit();
    return switch (unit) {
      case SECOND -> TimestampData.fromEpochMillis(value * 1000);
      case MILLISECOND -> TimestampData.fromEpochMillis(value);
      case MICROSECOND ->
          TimestampData.fromEpochMillis(
              Math.floorDiv(value, 1000), (int) Math.floorMod(value, 1000) * 1000);
      case NANOSECOND ->
          TimestampData.fromEpochMillis(
              Math.floorDiv(value, 1_000_000), (int) Math.floorMod(value, 1_000_000));
    };
  }

  private static ValueReader array(LogicalType elementType) {
    ValueReader element = forType(elementType);
    boolean floats =
        elementType.getTypeRoot() == org.apache.flink.table.types.logical.LogicalTypeRoot.FLOAT;
    return (v, i) -> {
      ValueVector list = v instanceof ExtensionTypeVector<?> ext ? ext.getUnderlyingVector() : v;
      int start;
      int end;
      ValueVector data;
      if (list instanceof FixedSizeListVector fixed) {
        start = i * fixed.getListSize();
        end = start + fixed.getListSize();
        data = fixed.getDataVector();
      } else if (list instanceof LargeListVector large) {
        start = (int) large.getElementStartIndex(i);
        end = (int) large.getElementEndIndex(i);
        data = large.getDataVector();
      } else {
        BaseRepeatedValueVector repeated = (BaseRepeatedValueVector) list;
        start = repeated.getOffsetBuffer().getInt((long) i * BaseRepeatedValueVector.OFFSET_WIDTH);
        end =
            repeated
                .getOffsetBuffer()
                .getInt((long) (i + 1) * BaseRepeatedValueVector.OFFSET_WIDTH);
        data = repeated.getDataVector();
      }
      if (floats && data instanceof Float4Vector f) {
        // Tensors: one tight loop over the data buffer, no boxing (null elements fall through).
        float[] out = new float[end - start];
        boolean nulls = false;
        for (int k = 0; k < out.length && !nulls; k++) {
          nulls = f.isNull(start + k);
          out[k] = f.getDataBuffer().getFloat((long) (start + k) * Float4Vector.TYPE_WIDTH);
        }
        if (!nulls) {
          return new GenericArrayData(out);
        }
      }
      Object[] out = new Object[end - start];
      for (int k = 0; k < out.length; k++) {
        out[k] = element.read(data, start + k);
      }
      return new GenericArrayData(out);
    };
  }

  private static ValueReader row(RowType type) {
    List<RowType.RowField> fields = type.getFields();
    ValueReader[] readers = new ValueReader[fields.size()];
    for (int f = 0; f < readers.length; f++) {
      readers[f] = forType(fields.get(f).getType());
    }
    return (v, i) -> {
      StructVector struct = (StructVector) v;
      GenericRowData row = new GenericRowData(readers.length);
      for (int f = 0; f < readers.length; f++) {
        ValueVector child = struct.getChild(fields.get(f).getName());
        row.setField(f, child == null ? null : readers[f].read(child, i));
      }
      return row;
    };
  }
}
