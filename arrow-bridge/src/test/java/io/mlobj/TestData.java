package io.mlobj;

import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.FixedShapeTensorVector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** Builds batches covering every supported type, with nulls, for round-trip tests. */
public final class TestData {
  private TestData() {}

  public static final ArrowType FLOAT32 =
      new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);

  /**
   * id, label, score, name, image, tokens, tensor float[2,3], pixels uint8[3,2,2], flag, day, ts,
   * meta struct.
   */
  public static Schema allTypes() {
    return new Schema(
        List.of(
            Field.notNullable("id", new ArrowType.Int(64, true)),
            Field.nullable("label", new ArrowType.Int(32, true)),
            Field.nullable("score", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            Field.nullable("name", new ArrowType.Utf8()),
            Field.nullable("image", new ArrowType.Binary()),
            new Field(
                "tokens",
                FieldType.nullable(new ArrowType.List()),
                List.of(Field.nullable("item", new ArrowType.Int(32, true)))),
            FixedShapeTensorType.field("tensor", FLOAT32, 2, 3),
            FixedShapeTensorType.field("pixels", new ArrowType.Int(8, false), 3, 2, 2),
            Field.nullable("flag", new ArrowType.Bool()),
            Field.nullable("day", new ArrowType.Date(DateUnit.DAY)),
            Field.nullable("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
            new Field(
                "meta",
                FieldType.nullable(new ArrowType.Struct()),
                List.of(
                    Field.nullable("a", new ArrowType.Int(32, true)),
                    Field.nullable("b", new ArrowType.Utf8())))));
  }

  /** Rows {@code start .. start+rows-1}; every 7th row has nulls in nullable columns. */
  public static VectorSchemaRoot allTypesBatch(BufferAllocator allocator, long start, int rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(allTypes(), allocator);
    root.allocateNew();
    for (int i = 0; i < rows; i++) {
      long id = start + i;
      boolean nulls = id % 7 == 3;
      ((BigIntVector) root.getVector("id")).setSafe(i, id);
      if (!nulls) {
        ((IntVector) root.getVector("label")).setSafe(i, (int) (id % 10));
        ((Float8Vector) root.getVector("score")).setSafe(i, id * 0.5);
        ((VarCharVector) root.getVector("name"))
            .setSafe(i, ("row-" + id).getBytes(StandardCharsets.UTF_8));
        ((VarBinaryVector) root.getVector("image"))
            .setSafe(i, new byte[] {(byte) id, 0, (byte) 255});
        ListVector tokens = (ListVector) root.getVector("tokens");
        int n = (int) (id % 4);
        int offset = tokens.startNewValue(i);
        IntVector items = (IntVector) tokens.getDataVector();
        for (int k = 0; k < n; k++) {
          items.setSafe(offset + k, (int) id + k);
        }
        tokens.endValue(i, n);
        FixedSizeListVector tensor =
            ((FixedShapeTensorVector) root.getVector("tensor")).getUnderlyingVector();
        int base = tensor.startNewValue(i);
        for (int k = 0; k < 6; k++) {
          ((Float4Vector) tensor.getDataVector()).setSafe(base + k, id + k / 10f);
        }
        FixedSizeListVector pixels =
            ((FixedShapeTensorVector) root.getVector("pixels")).getUnderlyingVector();
        int pbase = pixels.startNewValue(i);
        for (int k = 0; k < 12; k++) {
          ((UInt1Vector) pixels.getDataVector()).setSafe(pbase + k, (int) ((id * 13 + k) & 0xff));
        }
        ((BitVector) root.getVector("flag")).setSafe(i, id % 2 == 0 ? 1 : 0);
        ((DateDayVector) root.getVector("day")).setSafe(i, (int) (19000 + id));
        ((TimeStampMicroTZVector) root.getVector("ts")).setSafe(i, 1_700_000_000_000_000L + id);
        StructVector meta = (StructVector) root.getVector("meta");
        meta.setIndexDefined(i);
        ((IntVector) meta.getChild("a")).setSafe(i, (int) id * 2);
        ((VarCharVector) meta.getChild("b"))
            .setSafe(i, ("m" + id).getBytes(StandardCharsets.UTF_8));
      }
    }
    root.setRowCount(rows);
    return root;
  }

  /** Every value of every row as Java objects (getObject), for comparisons. */
  public static List<List<Object>> rows(VectorSchemaRoot root) {
    List<List<Object>> out = new ArrayList<>();
    for (int i = 0; i < root.getRowCount(); i++) {
      List<Object> row = new ArrayList<>();
      for (FieldVector vector : root.getFieldVectors()) {
        Object value = vector.getObject(i);
        row.add(
            value instanceof byte[] b
                ? java.util.Arrays.toString(b)
                : value == null ? null : value.toString());
      }
      out.add(row);
    }
    return out;
  }
}
