package io.mlobj.spark.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
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
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArrowColumnsTest {
  private static final int ROWS = 37; // not a multiple of 8: validity bits of a partial byte

  private final BufferAllocator allocator = new RootAllocator();
  private final List<FieldVector> vectors = new ArrayList<>();

  @AfterEach
  void close() {
    vectors.forEach(FieldVector::close);
    allocator.close();
  }

  @ParameterizedTest(name = "with nulls: {0}")
  @ValueSource(booleans = {true, false})
  void flatColumnsReadTheSameValuesAndNullsAsSparksArrowColumnVector(boolean nulls) {
    VectorSchemaRoot root = new VectorSchemaRoot(flatVectors(nulls));
    root.setRowCount(ROWS);
    ColumnarBatch batch = ArrowColumns.batch(root);
    for (int c = 0; c < vectors.size(); c++) {
      ColumnVector ours = batch.column(c);
      ArrowColumnVector spark = new ArrowColumnVector(vectors.get(c));
      String name = vectors.get(c).getField().getName();
      // A direct view, not Spark's accessor-based vector.
      assertThat(ours).as(name).isNotInstanceOf(ArrowColumnVector.class);
      assertThat(ours.dataType()).as(name).isEqualTo(spark.dataType());
      assertThat(ours.hasNull()).as(name).isEqualTo(nulls);
      assertThat(ours.numNulls()).as(name).isEqualTo(spark.numNulls());
      for (int row = 0; row < ROWS; row++) {
        assertThat(ours.isNullAt(row)).as(name + " row " + row).isEqualTo(spark.isNullAt(row));
        if (!spark.isNullAt(row)) {
          assertThat(value(ours, row)).as(name + " row " + row).isEqualTo(value(spark, row));
        }
      }
    }
  }

  @Test
  void stringsAndBinariesOfNullRowsAreNull() {
    VectorSchemaRoot root = new VectorSchemaRoot(flatVectors(true));
    root.setRowCount(ROWS);
    ColumnarBatch batch = ArrowColumns.batch(root);
    for (int c = 0; c < vectors.size(); c++) {
      DataType type = batch.column(c).dataType();
      if (type == DataTypes.StringType) {
        assertThat(batch.column(c).getUTF8String(0)).isNull();
      } else if (type == DataTypes.BinaryType) {
        assertThat(batch.column(c).getBinary(0)).isNull();
      }
    }
  }

  /** One vector of every flat type, every third row null (row 0 included) when asked. */
  private List<FieldVector> flatVectors(boolean nulls) {
    Float8Vector d = add(new Float8Vector("d", allocator));
    Float4Vector f = add(new Float4Vector("f", allocator));
    BigIntVector l = add(new BigIntVector("l", allocator));
    IntVector i = add(new IntVector("i", allocator));
    SmallIntVector s = add(new SmallIntVector("s", allocator));
    TinyIntVector b = add(new TinyIntVector("b", allocator));
    BitVector bool = add(new BitVector("bool", allocator));
    DateDayVector date = add(new DateDayVector("date", allocator));
    TimeStampMicroTZVector ts = add(new TimeStampMicroTZVector("ts", allocator, "UTC"));
    TimeStampMicroVector ntz = add(new TimeStampMicroVector("ntz", allocator));
    VarCharVector str = add(new VarCharVector("str", allocator));
    VarBinaryVector bin = add(new VarBinaryVector("bin", allocator));
    for (FieldVector v : vectors) {
      v.allocateNew();
    }
    for (int r = 0; r < ROWS; r++) {
      if (nulls && r % 3 == 0) {
        for (FieldVector v : vectors) {
          v.setNull(r);
        }
        continue;
      }
      d.setSafe(r, r * 1.5 - 7);
      f.setSafe(r, r * 0.25f);
      l.setSafe(r, (long) r << 40);
      i.setSafe(r, -r * 1000);
      s.setSafe(r, (short) (r * 7));
      b.setSafe(r, (byte) (r - 20));
      bool.setSafe(r, r % 2);
      date.setSafe(r, 19000 + r);
      ts.setSafe(r, 1_700_000_000_000_000L + r);
      ntz.setSafe(r, 1_600_000_000_000_000L - r);
      str.setSafe(r, ("s" + r + "é".repeat(r % 4)).getBytes(StandardCharsets.UTF_8));
      bin.setSafe(r, new byte[] {(byte) r, 0, (byte) -r});
    }
    for (FieldVector v : vectors) {
      v.setValueCount(ROWS);
    }
    return vectors;
  }

  private <V extends FieldVector> V add(V vector) {
    vectors.add(vector);
    return vector;
  }

  private static Object value(ColumnVector c, int row) {
    DataType t = c.dataType();
    if (t == DataTypes.DoubleType) {
      return c.getDouble(row);
    } else if (t == DataTypes.FloatType) {
      return c.getFloat(row);
    } else if (t == DataTypes.LongType
        || t == DataTypes.TimestampType
        || t == DataTypes.TimestampNTZType) {
      return c.getLong(row);
    } else if (t == DataTypes.IntegerType || t == DataTypes.DateType) {
      return c.getInt(row);
    } else if (t == DataTypes.ShortType) {
      return c.getShort(row);
    } else if (t == DataTypes.ByteType) {
      return c.getByte(row);
    } else if (t == DataTypes.BooleanType) {
      return c.getBoolean(row);
    } else if (t == DataTypes.StringType) {
      return c.getUTF8String(row).toString();
    } else if (t == DataTypes.BinaryType) {
      return java.util.HexFormat.of().formatHex(c.getBinary(row));
    }
    throw new AssertionError("no accessor for " + t);
  }
}
