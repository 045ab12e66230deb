package io.mlobj.examples.spark;

import io.mlobj.Dataset;
import io.mlobj.MlobjConf;
import io.mlobj.Snapshot;
import io.mlobj.examples.SyntheticImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark preprocessing job over mlobj: reads a raw image dataset ({@code id}, {@code image} uint8
 * tensor [3,32,32], {@code label}), normalizes the pixels to float32 tensors ({@code (x/255 -
 * 0.5)/0.5}), assigns a deterministic train/val split, and writes a new version of the output
 * dataset partitioned by {@code split}. Lineage (the input {@code uri@vN} and the Spark application
 * id) is recorded in the version summary by the connector.
 *
 * <pre>{@code
 * Snapshot out = SparkPreprocess.run(spark, SparkPreprocess.Options.of(
 *     "s3a://raw/images", "s3a://train/images-normalized"));
 * }</pre>
 *
 * <p>From a shell: {@code java ... io.mlobj.examples.spark.SparkPreprocess --input s3a://raw/x
 * --output s3a://train/y [--samples 2000] [--val-fraction 0.1] [--format arrow|parquet] [--master
 * local[2]] [--conf fs.s3a.endpoint=http://...]...}
 */
public final class SparkPreprocess {
  private SparkPreprocess() {}

  /**
   * What to do.
   *
   * @param input the raw dataset; generated with {@link SyntheticImages} if it does not exist
   * @param output the dataset to write a new version of
   * @param samples how many images to generate when the input does not exist
   * @param valFraction fraction of samples assigned to {@code val}
   * @param format shard format of the output ({@code arrow} or {@code parquet})
   */
  public record Options(
      String input, String output, int samples, double valFraction, String format) {
    /** Defaults: 2000 generated samples, 10% validation, Arrow IPC shards. */
    public static Options of(String input, String output) {
      return new Options(input, output, 2000, 0.1, "arrow");
    }
  }

  /** Runs the job on {@code spark}; returns the output version it committed. */
  public static Snapshot run(SparkSession spark, Options options) {
    Map<String, String> conf =
        MlobjConf.fromHadoop(spark.sparkContext().hadoopConfiguration()).asMap();
    if (!Dataset.at(options.input(), conf).exists()) {
      SyntheticImages.write(options.input(), conf, options.samples(), 42);
    }
    int valPercent = (int) Math.round(options.valFraction() * 100);
    org.apache.spark.sql.Dataset<Row> normalized =
        spark
            .read()
            .format("mlobj")
            .load(options.input())
            .selectExpr(
                "id",
                "label",
                "transform(image, x -> cast((x / 255.0 - 0.5) / 0.5 AS float)) AS image",
                "CASE WHEN pmod(xxhash64(id), 100) < "
                    + valPercent
                    + " THEN 'val' ELSE 'train' END AS split");
    normalized
        .write()
        .format("mlobj")
        .mode("overwrite")
        .partitionBy("split")
        .option("format", options.format())
        .option("tensor.image.shape", "3,32,32")
        .option("tensor.image.type", "float32")
        .option("mlobj.meta.preprocess", "image=(x/255-0.5)/0.5 float32; split=xxhash64(id)%100")
        .option("mlobj.meta.val_fraction", String.valueOf(options.valFraction()))
        .save(options.output());
    return Dataset.open(options.output(), conf).latest();
  }

  /** Command-line entry point; see the class comment. */
  public static void main(String[] args) {
    String input = null;
    String output = null;
    int samples = 2000;
    double val = 0.1;
    String format = "arrow";
    String master = "local[2]";
    List<String[]> confs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--input" -> input = value;
        case "--output" -> output = value;
        case "--samples" -> samples = Integer.parseInt(value);
        case "--val-fraction" -> val = Double.parseDouble(value);
        case "--format" -> format = value.toLowerCase(Locale.ROOT);
        case "--master" -> master = value;
        case "--conf" -> confs.add(value.split("=", 2));
        default ->
            throw new IllegalArgumentException(
                "Cannot parse argument '"
                    + args[i]
                    + "'. Use --input URI --output URI [--samples N] [--val-fraction F]"
                    + " [--format arrow|parquet] [--master M] [--conf fs.s3a.k=v]...");
      }
      i++;
    }
    if (input == null || output == null) {
      throw new IllegalArgumentException(
          "Cannot run: --input and --output are required, e.g. --input file:///tmp/raw"
              + " --output file:///tmp/normalized");
    }
    SparkSession.Builder builder =
        SparkSession.builder()
            .master(master)
            .appName("mlobj-spark-preprocess")
            .config("spark.ui.enabled", "false");
    for (String[] kv : confs) {
      builder.config("spark.hadoop." + kv[0], kv[1]);
    }
    SparkSession spark = builder.getOrCreate();
    try {
      Snapshot out = run(spark, new Options(input, output, samples, val, format));
      System.out.println(
          "Wrote "
              + out
              + ": "
              + out.rows()
              + " rows in "
              + out.shards().size()
              + " shards; summary "
              + out.summary().properties());
    } finally {
      spark.stop();
    }
  }
}
