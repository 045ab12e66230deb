package io.mlobj.internal.arrow;

import java.util.List;
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
import org.apache.arrow.vector.complex.BaseRepeatedValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;

/**
 * Writes one row of Arrow vectors to a Parquet {@link RecordConsumer}. parquet-mr's writer API is
 * record-at-a-time; there is no Arrow-to-Parquet writer in Arrow Java without native code, so this
 * bridges the two (the layout matches {@link ParquetSchemas#toParquet}).
 */
public final class ArrowRowWriter {
  private ArrowRowWriter() {}

  public static void writeRow(RecordConsumer consumer, List<FieldVector> vectors, int row) {
    consumer.startMessage();
    for (int i = 0; i < vectors.size(); i++) {
      FieldVector vector = vectors.get(i);
      if (!vector.isNull(row)) {
        String name = vector.getName();
        consumer.startField(name, i);
        writeValue(consumer, vector, row);
        consumer.endField(name, i);
      }
    }
    consumer.endMessage();
  }

  private static void writeValue(RecordConsumer c, ValueVector v, int i) {
    if (v instanceof ExtensionTypeVector<?> ext) {
      writeValue(c, ext.getUnderlyingVector(), i);
    } else if (v instanceof IntVector x) {
      c.addInteger(x.get(i));
    } else if (v instanceof BigIntVector x) {
      c.addLong(x.get(i));
    } else if (v instanceof Float4Vector x) {
      c.addFloat(x.get(i));
    } else if (v instanceof Float8Vector x) {
      c.addDouble(x.get(i));
    } else if (v instanceof BitVector x) {
      c.addBoolean(x.get(i) != 0);
    } else if (v instanceof TinyIntVector x) {
      c.addInteger(x.get(i));
    } else if (v instanceof SmallIntVector x) {
      c.addInteger(x.get(i));
    } else if (v instanceof UInt1Vector x) {
      c.addInteger(x.get(i) & 0xff);
    } else if (v instanceof UInt2Vector x) {
      c.addInteger(x.get(i));
    } else if (v instanceof UInt4Vector x) {
      c.addInteger(x.get(i));
    } else if (v instanceof UInt8Vector x) {
      c.addLong(x.get(i));
    } else if (v instanceof DateDayVector x) {
      c.addInteger(x.get(i));
    } else if (v instanceof TimeStampVector x) {
      c.addLong(x.get(i));
    } else if (v instanceof FixedSizeBinaryVector x) {
      c.addBinary(Binary.fromConstantByteArray(x.get(i)));
    } else if (v instanceof BaseVariableWidthVector x) {
      c.addBinary(Binary.fromConstantByteArray(x.get(i)));
    } else if (v instanceof BaseLargeVariableWidthVector x) {
      c.addBinary(Binary.fromConstantByteArray(x.get(i)));
    } else if (v instanceof FixedSizeListVector x) {
      int size = x.getListSize();
      writeList(c, x.getDataVector(), i * size, size);
    } else if (v instanceof LargeListVector x) {
      long start = x.getOffsetBuffer().getLong((long) i * 8);
      long end = x.getOffsetBuffer().getLong((long) (i + 1) * 8);
      writeList(c, x.getDataVector(), (int) start, (int) (end - start));
    } else if (v instanceof BaseRepeatedValueVector x) {
      int start = x.getOffsetBuffer().getInt((long) i * 4);
      int end = x.getOffsetBuffer().getInt((long) (i + 1) * 4);
      writeList(c, x.getDataVector(), start, end - start);
    } else if (v instanceof StructVector x) {
      c.startGroup();
      List<FieldVector> children = x.getChildrenFromFields();
      for (int k = 0; k < children.size(); k++) {
        FieldVector child = children.get(k);
        if (!child.isNull(i)) {
          c.startField(child.getName(), k);
          writeValue(c, child, i);
          c.endField(child.getName(), k);
        }
      }
      c.endGroup();
    } else {
      throw new IllegalArgumentException(
          "Cannot write column '" + v.getName() + "' of type " + v.getMinorType() + " to Parquet.");
    }
  }

  private static void writeList(RecordConsumer c, ValueVector data, int start, int count) {
    c.startGroup();
    if (count > 0) {
      c.startField("list", 0);
      for (int k = start; k < start + count; k++) {
        c.startGroup();
        if (!data.isNull(k)) {
          c.startField("element", 0);
          writeValue(c, data, k);
          c.endField("element", 0);
        }
        c.endGroup();
      }
      c.endField("list", 0);
    }
    c.endGroup();
  }
}
