package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.FixedShapeTensorVector;
import io.mlobj.feed.transform.Pipeline;
import io.mlobj.feed.transform.Tensors;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * random_flip mirrors the last axis for every element width, on both of its code paths: lines that
 * are a whole number of 8-byte words (flipped word by word) and lines that are not (element by
 * element).
 */
class RandomFlipWidthsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int ROWS = 3;

  static List<Object[]> tensors() {
    ArrowType u8 = new ArrowType.Int(8, false);
    ArrowType i16 = new ArrowType.Int(16, true);
    ArrowType f32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    ArrowType f64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    return List.of(
        new Object[] {"uint8 lines of 16 bytes (words)", u8, 1, new int[] {3, 2, 16}},
        new Object[] {"uint8 lines of 5 bytes (elements)", u8, 1, new int[] {2, 5}},
        new Object[] {"int16 lines of 16 bytes (words)", i16, 2, new int[] {2, 8}},
        new Object[] {"int16 lines of 6 bytes (elements)", i16, 2, new int[] {2, 3}},
        new Object[] {"float32 lines of 16 bytes (words)", f32, 4, new int[] {3, 4}},
        new Object[] {"float32 lines of 12 bytes (elements)", f32, 4, new int[] {2, 3}},
        new Object[] {"float64 lines of 24 bytes (words)", f64, 8, new int[] {2, 3}});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tensors")
  void flipWithPOneReversesEveryLineOfEveryRow(String name, ArrowType type, int width, int[] shape)
      throws Exception {
    FixedShapeTensorType.ensureRegistered();
    Field field = FixedShapeTensorType.field("t", type, shape);
    Pipeline pipeline =
        Pipeline.compile(
            JSON.readTree("[{\"op\":\"random_flip\",\"column\":\"t\",\"p\":1}]"),
            Pipeline.builtins(),
            new Schema(List.of(field)));
    int last = shape[shape.length - 1];
    int size = 1;
    for (int d : shape) {
      size *= d;
    }
    int bytes = ROWS * size * width;
    try (BufferAllocator allocator = new RootAllocator()) {
      FixedShapeTensorVector vector = (FixedShapeTensorVector) field.createVector(allocator);
      FixedSizeListVector list = vector.getUnderlyingVector();
      list.setInitialCapacity(ROWS);
      list.allocateNew();
      for (int r = 0; r < ROWS; r++) {
        list.startNewValue(r);
      }
      list.getDataVector().setValueCount(ROWS * size);
      vector.setValueCount(ROWS);
      ArrowBuf data = Tensors.elements(vector).getDataBuffer();
      for (int i = 0; i < bytes; i++) {
        data.setByte(i, i * 7 + 3); // distinct bytes within each element
      }
      List<FieldVector> out =
          pipeline.apply(List.of(vector), allocator, 1, 0, new long[] {0, 1, 2});
      try {
        ArrowBuf flipped = Tensors.elements(out.get(0)).getDataBuffer();
        for (int line = 0; line < ROWS * size / last; line++) {
          for (int e = 0; e < last; e++) {
            for (int k = 0; k < width; k++) {
              int at = (line * last + e) * width + k;
              int from = (line * last + (last - 1 - e)) * width + k;
              assertThat(flipped.getByte(at))
                  .as("line %d element %d byte %d", line, e, k)
                  .isEqualTo((byte) (from * 7 + 3));
            }
          }
        }
      } finally {
        out.forEach(FieldVector::close);
      }
    }
  }
}
