package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlobj.MlobjException;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.feed.transform.Pipeline;
import io.mlobj.feed.transform.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each built-in transform over real Arrow vectors (4 samples of uint8 images [3, 4, 4]). */
class PipelineTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int ROWS = 4;
  static final long[] SAMPLES = {10, 11, 12, 13};

  BufferAllocator allocator;
  Schema schema = FeedTestData.schema(4, 4);

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    allocator.close(); // every test is also a leak test
  }

  /** Runs a pipeline over samples 10..13 and returns the output columns (caller closes). */
  List<FieldVector> run(String steps, long epoch) throws Exception {
    Pipeline pipeline = Pipeline.compile(JSON.readTree(steps), Pipeline.builtins(), schema);
    try (VectorSchemaRoot batch = FeedTestData.batch(allocator, schema, 10, ROWS, 4, 4)) {
      List<FieldVector> columns = new ArrayList<>();
      for (FieldVector v : batch.getFieldVectors()) {
        FieldVector copy = v.getField().createVector(allocator);
        Tensors.transfer(v, copy);
        columns.add(copy);
      }
      return pipeline.apply(columns, allocator, 42, epoch, SAMPLES);
    }
  }

  static FieldVector col(List<FieldVector> out, String name) {
    return out.stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
  }

  static float f(FieldVector tensor, int index) {
    return ((Float4Vector) Tensors.elements(tensor)).get(index);
  }

  static int u8(FieldVector tensor, int index) {
    return ((UInt1Vector) Tensors.elements(tensor)).get(index) & 0xff;
  }

  static void close(List<FieldVector> out) {
    out.forEach(FieldVector::close);
  }

  @Test
  void castConvertsUint8ToScaledFloat32() throws Exception {
    List<FieldVector> out =
        run("[{\"op\":\"cast\",\"column\":\"image\",\"to\":\"float32\",\"scale\":0.5}]", 0);
    FieldVector image = col(out, "image");
    assertThat(FixedShapeTensorType.of(image.getField()).valueType()).isEqualTo(Tensors.FLOAT32);
    assertThat(f(image, 48 + 16 + 4 + 2)).isEqualTo(FeedTestData.pixel(11, 1, 1, 2) * 0.5f);
    close(out);
  }

  @Test
  void castThenNormalizeFusedGiveTheSameValuesAsTheStepsApart() throws Exception {
    // A reshape between them keeps cast and normalize apart (two passes); adjacent they fuse.
    String cast = "{\"op\":\"cast\",\"column\":\"image\",\"scale\":0.5}";
    String reshape = "{\"op\":\"reshape\",\"column\":\"image\",\"shape\":[4,4,3]}";
    String normalize =
        "{\"op\":\"normalize\",\"column\":\"image\",\"channels_last\":true,"
            + "\"mean\":[1,2,3],\"std\":[2,4,8]}";
    List<FieldVector> apart = run("[" + cast + "," + reshape + "," + normalize + "]", 0);
    List<FieldVector> fused = run("[" + reshape + "," + cast + "," + normalize + "]", 0);
    FieldVector a = col(apart, "image");
    FieldVector b = col(fused, "image");
    List<FieldVector> raw = run("[]", 0);
    for (int i = 0; i < ROWS * 48; i++) {
      float x = u8(col(raw, "image"), i) * 0.5f;
      float expected = (x - (i % 3 + 1)) / new float[] {2, 4, 8}[i % 3];
      assertThat(f(a, i)).isCloseTo(expected, within());
      assertThat(f(b, i)).isCloseTo(expected, within());
    }
    close(apart);
    close(fused);
    close(raw);
  }

  @Test
  void normalizeUsesEachChannelsMeanAndStd() throws Exception {
    List<FieldVector> out =
        run(
            "[{\"op\":\"cast\",\"column\":\"image\"},{\"op\":\"normalize\",\"column\":\"image\","
                + "\"mean\":[10,20,30],\"std\":[2,4,5]}]",
            0);
    FieldVector image = col(out, "image");
    for (int c = 0; c < 3; c++) {
      float expected =
          (FeedTestData.pixel(12, c, 3, 1) - (10f * (c + 1))) / new float[] {2, 4, 5}[c];
      assertThat(f(image, 2 * 48 + c * 16 + 3 * 4 + 1)).isCloseTo(expected, within());
    }
    close(out);
  }

  @Test
  void reshapeChangesTheShapeNotTheData() throws Exception {
    List<FieldVector> out = run("[{\"op\":\"reshape\",\"column\":\"image\",\"shape\":[48]}]", 0);
    FieldVector image = col(out, "image");
    assertThat(FixedShapeTensorType.of(image.getField()).shape()).containsExactly(48);
    assertThat(u8(image, 48 * 3 + 17)).isEqualTo(FeedTestData.pixel(13, 1, 0, 1));
    close(out);
  }

  @Test
  void labelMapAndOneHot() throws Exception {
    List<FieldVector> out =
        run(
            "[{\"op\":\"label_map\",\"column\":\"name\",\"mapping\":{\"s10\":7,\"s11\":8},"
                + "\"default\":0},{\"op\":\"one_hot\",\"column\":\"label\",\"classes\":10}]",
            0);
    IntVector names = (IntVector) col(out, "name");
    assertThat(List.of(names.get(0), names.get(1), names.get(2))).containsExactly(7, 8, 0);
    FieldVector label = col(out, "label");
    for (int r = 0; r < ROWS; r++) {
      for (int k = 0; k < 10; k++) {
        assertThat(f(label, r * 10 + k)).isEqualTo(k == (10 + r) % 10 ? 1f : 0f);
      }
    }
    close(out);
  }

  @Test
  void labelMapWithoutDefaultRejectsUnknownLabels() {
    assertThatThrownBy(
            () ->
                close(
                    run("[{\"op\":\"label_map\",\"column\":\"name\",\"mapping\":{\"s10\":1}}]", 0)))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("label 's11' (sample 11) is not in the mapping");
  }

  @Test
  void randomCropIsSeededPerSampleAndCopiesAWindowOfTheImage() throws Exception {
    String crop = "[{\"op\":\"random_crop\",\"column\":\"image\",\"size\":[2,3],\"padding\":0}]";
    List<FieldVector> a = run(crop, 0);
    List<FieldVector> b = run(crop, 0);
    List<FieldVector> other = run(crop, 1);
    FieldVector image = col(a, "image");
    assertThat(FixedShapeTensorType.of(image.getField()).shape()).containsExactly(3, 2, 3);
    boolean epochsDiffer = false;
    for (int r = 0; r < ROWS; r++) {
      // Find the window: the top-left pixel of channel 0 identifies (top, left).
      int found = -1;
      for (int top = 0; top <= 2 && found < 0; top++) {
        for (int left = 0; left <= 1; left++) {
          boolean match = true;
          for (int c = 0; c < 3 && match; c++) {
            for (int y = 0; y < 2 && match; y++) {
              for (int x = 0; x < 3 && match; x++) {
                match =
                    u8(image, r * 18 + c * 6 + y * 3 + x)
                        == FeedTestData.pixel(SAMPLES[r], c, top + y, left + x);
              }
            }
          }
          if (match) {
            found = top * 2 + left;
          }
        }
      }
      assertThat(found).as("row %d is a window of its image", r).isNotNegative();
      for (int k = 0; k < 18; k++) {
        assertThat(u8(col(b, "image"), r * 18 + k)).isEqualTo(u8(image, r * 18 + k));
        epochsDiffer |= u8(col(other, "image"), r * 18 + k) != u8(image, r * 18 + k);
      }
    }
    assertThat(epochsDiffer).isTrue();
    close(a);
    close(b);
    close(other);
  }

  @Test
  void randomFlipMirrorsRowsWithProbabilityP() throws Exception {
    List<FieldVector> always = run("[{\"op\":\"random_flip\",\"column\":\"image\",\"p\":1}]", 0);
    List<FieldVector> never = run("[{\"op\":\"random_flip\",\"column\":\"image\",\"p\":0}]", 0);
    for (int r = 0; r < ROWS; r++) {
      for (int x = 0; x < 4; x++) {
        int index = r * 48 + 16 + 2 * 4 + x; // c=1, y=2
        assertThat(u8(col(always, "image"), index))
            .isEqualTo(FeedTestData.pixel(SAMPLES[r], 1, 2, 3 - x));
        assertThat(u8(col(never, "image"), index))
            .isEqualTo(FeedTestData.pixel(SAMPLES[r], 1, 2, x));
      }
    }
    close(always);
    close(never);
  }

  @Test
  void padTruncateMakesFixedLengthTokenTensors() throws Exception {
    List<FieldVector> out =
        run("[{\"op\":\"pad_truncate\",\"column\":\"tokens\",\"length\":3,\"pad\":-1}]", 0);
    FieldVector tokens = col(out, "tokens");
    assertThat(FixedShapeTensorType.of(tokens.getField()).shape()).containsExactly(3);
    IntVector values = (IntVector) Tensors.elements(tokens);
    // sample 10: 0 tokens, 11: 1, 12: 2, 13: 3 (ids*10 + t)
    assertThat(List.of(values.get(0), values.get(1), values.get(2))).containsExactly(-1, -1, -1);
    assertThat(List.of(values.get(3), values.get(4), values.get(5))).containsExactly(110, -1, -1);
    assertThat(List.of(values.get(9), values.get(10), values.get(11)))
        .containsExactly(130, 131, 132);
    close(out);
  }

  @Test
  void compileRejectsUnknownOpsColumnsAndTypes() {
    assertThatThrownBy(() -> run("[{\"op\":\"blur\",\"column\":\"image\"}]", 0))
        .hasMessageContaining("unknown transform 'blur'")
        .hasMessageContaining("random_crop");
    assertThatThrownBy(() -> run("[{\"op\":\"cast\",\"column\":\"pixels\"}]", 0))
        .hasMessageContaining("Cannot select column 'pixels'");
    assertThatThrownBy(() -> run("[{\"op\":\"one_hot\",\"column\":\"name\",\"classes\":3}]", 0))
        .hasMessageContaining("needs integer class ids");
    assertThatThrownBy(() -> run("[{\"op\":\"reshape\",\"column\":\"image\",\"shape\":[5]}]", 0))
        .hasMessageContaining("has 5 elements but the tensors have 48");
  }

  @Test
  void compileChecksStepsTheClientRunsWithTheSameRules() {
    // The Python client sends its whole pipeline, deferred steps marked "on", to the plan call.
    assertThatThrownBy(
            () ->
                run(
                    "[{\"op\":\"normalize\",\"column\":\"image\",\"mean\":[0.5],"
                        + "\"std\":[0.5],\"on\":\"client\"}]",
                    0))
        .hasMessageContaining("it needs a float32 tensor, the column is tensor<uint8>[3,4,4]");
    assertThatThrownBy(
            () -> run("[{\"op\":\"random_flip\",\"column\":\"image\",\"on\":\"client\"}]", 0))
        .hasMessageContaining("only [cast, normalize] can run on the client");
    assertThatThrownBy(() -> run("[{\"op\":\"cast\",\"column\":\"image\",\"on\":\"gpu\"}]", 0))
        .hasMessageContaining("'on' must be one of [auto, server, client], got 'gpu'");
    assertThatThrownBy(() -> run("[{\"op\":\"cast\",\"to\":\"float32\"}]", 0))
        .hasMessageContaining("'column' is missing");
    assertThatThrownBy(() -> run("[{\"column\":\"image\"}]", 0))
        .hasMessageContaining("'op' is missing");
  }

  @Test
  void anUnknownColumnNamesTheDataset() {
    assertThatThrownBy(
            () ->
                Pipeline.compile(
                    "s3a://b/ds@v3",
                    JSON.readTree("[{\"op\":\"cast\",\"column\":\"nope\"}]"),
                    Pipeline.builtins(),
                    schema))
        .hasMessageStartingWith(
            "Cannot select column 'nope' of dataset s3a://b/ds@v3 (pipeline step 'cast')");
  }

  static org.assertj.core.data.Offset<Float> within() {
    return org.assertj.core.data.Offset.offset(1e-5f);
  }
}
