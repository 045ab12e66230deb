package io.mlobj.spark.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.arrow.FixedShapeTensorType;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;

class BatchSizingTest {
  private static final ArrowType FLOAT = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);

  @Test
  void wideTensorRowsGetBatchesOfAboutFourMebibytes() {
    Field image = FixedShapeTensorType.field("image", FLOAT, 3, 32, 32);
    // 3 * 32 * 32 * 4 bytes = 12288 per row.
    assertThat(BatchSizing.rows(List.of(image))).isEqualTo((int) ((4L << 20) / 12288));
    Field id = Field.nullable("id", new ArrowType.Int(64, true));
    assertThat(BatchSizing.rows(List.of(id, image))).isEqualTo((int) ((4L << 20) / 12296));
    // As read back from a file: the element type only in the storage child.
    Field stored =
        new Field(
            "image",
            org.apache.arrow.vector.types.pojo.FieldType.nullable(
                new FixedShapeTensorType(null, new int[] {3, 32, 32})),
            image.getChildren());
    assertThat(BatchSizing.rows(List.of(stored))).isEqualTo((int) ((4L << 20) / 12288));
  }

  @Test
  void narrowRowsKeepTheDefaultOf8192Rows() {
    List<Field> flat = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      flat.add(Field.nullable("d" + i, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)));
      flat.add(Field.nullable("s" + i, ArrowType.Utf8.INSTANCE));
    }
    assertThat(BatchSizing.rows(flat)).isEqualTo(8192);
    assertThat(BatchSizing.rows(List.of())).isEqualTo(8192);
  }

  @Test
  void hugeTensorsStillGetAFewRowsPerBatch() {
    Field volume = FixedShapeTensorType.field("volume", FLOAT, 64, 256, 256);
    assertThat(BatchSizing.rows(List.of(volume))).isEqualTo(16);
  }
}
