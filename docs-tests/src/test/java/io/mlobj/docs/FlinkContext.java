package io.mlobj.docs;

import io.mlobj.arrow.FixedShapeTensorVector;
import io.mlobj.flink.sink.ArrowRowSerializer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * The {@code flink} context: the variables the Flink connector's DataStream examples use. {@code
 * env} is a stream environment on the shared MiniCluster ({@link FlinkCluster}); {@code
 * conf}/{@code s3Conf} point at the embedded server; {@code arrowSchema} is the example images
 * schema; {@code stream} is a bounded {@code DataStream<Sample>} of 8 samples, {@link Sample} the
 * element type and {@link SampleSerializer} its {@code ArrowRowSerializer}.
 *
 * <p>After the block, what it built runs: if it added a sink, the job is executed (and must
 * succeed); otherwise every source it created is read to the end and must emit something.
 */
public abstract class FlinkContext extends Contexts.Base {
  static final List<String> IMPORTS =
      List.of(
          "io.mlobj.*",
          "io.mlobj.flink.source.*",
          "io.mlobj.flink.sink.*",
          "io.mlobj.examples.flink.FlinkIngest",
          "java.time.Duration",
          "java.util.*",
          "org.apache.flink.api.common.eventtime.WatermarkStrategy",
          "org.apache.flink.streaming.api.datastream.*",
          "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment");

  /** Samples in {@link #stream}. */
  static final int SAMPLES = 8;

  private FlinkCluster.Environment environment;

  protected StreamExecutionEnvironment env;
  protected Map<String, String> conf;
  protected Map<String, String> s3Conf;
  protected Schema arrowSchema;
  protected DataStream<Sample> stream;

  static Contexts.Context context(DocEnv docEnv, Path classes) {
    return new Contexts.Context(
        FlinkContext.class,
        IMPORTS,
        (base, code) -> {
          FlinkContext f = (FlinkContext) base;
          try {
            f.environment = FlinkCluster.environment(classes);
          } catch (Exception e) {
            throw new IllegalStateException("Cannot start the docs harness's Flink cluster", e);
          }
          f.env = f.environment;
          f.conf = Contexts.s3(docEnv);
          f.s3Conf = Contexts.s3(docEnv);
          f.arrowSchema = DocEnv.IMAGES;
          List<Sample> samples = new ArrayList<>();
          for (int i = 0; i < SAMPLES; i++) {
            samples.add(Sample.of(1000 + i));
          }
          f.stream = f.env.fromData(samples, TypeInformation.of(Sample.class));
          f.environment.mark();
        });
  }

  @Override
  public void afterRun() throws Exception {
    if (!environment.getTransformations().isEmpty()) {
      environment.execute("docs block");
      return;
    }
    for (DataStream<?> source : environment.blockSources()) {
      long records = 0;
      try (CloseableIterator<?> it = source.executeAndCollect("docs block source")) {
        for (; it.hasNext(); it.next()) {
          records++;
        }
      }
      if (records == 0) {
        throw new AssertionError(
            "The block's source emitted nothing: the example reads an empty dataset or filters"
                + " out every row of the harness's example data.");
      }
    }
  }

  /** An example stream element: one row of the images schema (a POJO, so no Kryo). */
  public static class Sample {
    public long id;
    public int label;
    public String split;
    public float[] image;

    /** Sample {@code id}: label {@code id % 10}, even ids train, odd val, image values in [0,1). */
    public static Sample of(long id) {
      Sample s = new Sample();
      s.id = id;
      s.label = (int) (id % 10);
      s.split = id % 2 == 0 ? "train" : "val";
      s.image = new float[3 * 32 * 32];
      for (int e = 0; e < s.image.length; e++) {
        s.image[e] = ((id + e) % 256) / 255f;
      }
      return s;
    }
  }

  /** Writes a {@link Sample} into the images schema's columns that the target dataset has. */
  public static class SampleSerializer implements ArrowRowSerializer<Sample> {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(Sample sample, VectorSchemaRoot root, int row) {
      if (root.getVector("id") instanceof BigIntVector ids) {
        ids.setSafe(row, sample.id);
      }
      if (root.getVector("label") instanceof IntVector labels) {
        labels.setSafe(row, sample.label);
      }
      if (root.getVector("split") instanceof VarCharVector split) {
        split.setSafe(row, sample.split.getBytes(StandardCharsets.UTF_8));
      }
      if (root.getVector("image") instanceof FixedShapeTensorVector tensor) {
        FixedSizeListVector image = tensor.getUnderlyingVector();
        int first = image.startNewValue(row);
        Float4Vector values = (Float4Vector) image.getDataVector();
        for (int e = 0; e < sample.image.length; e++) {
          values.setSafe(first + e, sample.image[e]);
        }
      }
    }
  }
}
