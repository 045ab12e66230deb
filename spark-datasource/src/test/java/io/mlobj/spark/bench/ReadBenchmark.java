package io.mlobj.spark.bench;

import io.mlobj.testing.EmbeddedS3;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Side-by-side read benchmark (not a test): the same Parquet shard files read through {@code
 * format("mlobj")} and through {@code spark.read.parquet}, plus Arrow IPC shards with a tensor
 * column. Every read materializes all selected columns into Spark's {@code noop} sink; each case
 * runs once to warm up, then {@code runs} times, and the best time is reported.
 *
 * <p>Arguments (all optional): {@code rows} (default 2000000), {@code tensorRows} (20000), {@code
 * runs} (3), {@code master} (local[2]). See docs/spark.md for the command.
 */
public final class ReadBenchmark {
  private ReadBenchmark() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
    long tensorRows = args.length > 1 ? Long.parseLong(args[1]) : 20_000;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    String master = args.length > 3 ? args[3] : "local[2]";
    try (EmbeddedS3 s3 = EmbeddedS3.builder().build().start().createBucket("bench")) {
      SparkSession.Builder builder =
          SparkSession.builder()
              .master(master)
              .appName("mlobj-read-benchmark")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.adaptive.enabled", "false")
              .config("spark.driver.host", "127.0.0.1");
      s3.hadoopConf().forEach((k, v) -> builder.config("spark.hadoop." + k, v));
      SparkSession spark = builder.getOrCreate();
      try {
        run(spark, rows, tensorRows, runs);
      } finally {
        spark.stop();
      }
    }
  }

  private static void run(SparkSession spark, long rows, long tensorRows, int runs) {
    String wide = "s3a://bench/wide";
    List<String> columns = new ArrayList<>();
    columns.add("id");
    for (int i = 0; i < 8; i++) {
      columns.add("cast(rand(" + i + ") * 1000 as double) AS d" + i);
    }
    for (int i = 0; i < 7; i++) {
      columns.add("cast(id * " + (i + 3) + " % 100000 as int) AS i" + i);
    }
    for (int i = 0; i < 4; i++) {
      columns.add("concat('s', cast(id % " + (1000 * (i + 1)) + " as string)) AS s" + i);
    }
    spark
        .range(0, rows, 1, 4)
        .selectExpr(columns.toArray(String[]::new))
        .write()
        .format("mlobj")
        .mode("overwrite")
        .option("format", "parquet")
        .option("targetShardSize", "64m")
        .save(wide);

    String tensors = "s3a://bench/tensors-arrow";
    String tensorsParquet = "s3a://bench/tensors-parquet";
    for (String[] target : new String[][] {{tensors, "arrow"}, {tensorsParquet, "parquet"}}) {
      spark
          .range(0, tensorRows, 1, 4)
          .selectExpr(
              "id",
              "cast(id % 10 as int) AS label",
              "transform(sequence(0, 3071), i -> cast((id + i) % 255 / 255.0 as float)) AS image")
          .write()
          .format("mlobj")
          .mode("overwrite")
          .option("format", target[1])
          .option("targetShardSize", "64m")
          .option("tensorShape.image", "3,32,32")
          .save(target[0]);
    }

    Map<String, Double> seconds = new LinkedHashMap<>();
    String[] two = {"d0", "s1"};
    seconds.put(
        "full scan, spark.read.parquet",
        best(
            runs,
            () -> spark.read().option("recursiveFileLookup", "true").parquet(wide + "/data")));
    seconds.put(
        "full scan, mlobj (Spark Parquet reader)",
        best(runs, () -> spark.read().format("mlobj").option("parquetReader", "spark").load(wide)));
    seconds.put(
        "full scan, mlobj (kernel Parquet reader)",
        best(runs, () -> spark.read().format("mlobj").option("parquetReader", "mlobj").load(wide)));
    seconds.put(
        "2 of 20 columns, spark.read.parquet",
        best(
            runs,
            () ->
                spark
                    .read()
                    .option("recursiveFileLookup", "true")
                    .parquet(wide + "/data")
                    .select(two[0], two[1])));
    seconds.put(
        "2 of 20 columns, mlobj (Spark Parquet reader)",
        best(
            runs,
            () ->
                spark
                    .read()
                    .format("mlobj")
                    .option("parquetReader", "spark")
                    .load(wide)
                    .select(two[0], two[1])));
    seconds.put(
        "2 of 20 columns, mlobj (kernel Parquet reader)",
        best(
            runs,
            () ->
                spark
                    .read()
                    .format("mlobj")
                    .option("parquetReader", "mlobj")
                    .load(wide)
                    .select(two[0], two[1])));
    seconds.put(
        "tensor column, spark.read.parquet",
        best(
            runs,
            () ->
                spark
                    .read()
                    .option("recursiveFileLookup", "true")
                    .parquet(tensorsParquet + "/data")
                    .select("image")));
    seconds.put(
        "tensor column, mlobj Parquet shards (Spark reader)",
        best(
            runs,
            () ->
                spark
                    .read()
                    .format("mlobj")
                    .option("parquetReader", "spark")
                    .load(tensorsParquet)
                    .select("image")));
    seconds.put(
        "tensor column, mlobj Parquet shards (kernel reader)",
        best(
            runs,
            () ->
                spark
                    .read()
                    .format("mlobj")
                    .option("parquetReader", "mlobj")
                    .load(tensorsParquet)
                    .select("image")));
    seconds.put(
        "tensor column, mlobj Arrow IPC shards",
        best(runs, () -> spark.read().format("mlobj").load(tensors).select("image")));

    System.out.printf(
        "%nrows=%d (20 columns), tensorRows=%d (3x32x32 float32)%n", rows, tensorRows);
    seconds.forEach((k, v) -> System.out.printf("%-55s %8.2f s%n", k, v));
    System.out.println();
    ratio(seconds, "full scan", "mlobj (Spark Parquet reader)");
    ratio(seconds, "full scan", "mlobj (kernel Parquet reader)");
    ratio(seconds, "2 of 20 columns", "mlobj (Spark Parquet reader)");
    ratio(seconds, "2 of 20 columns", "mlobj (kernel Parquet reader)");
    ratio(seconds, "tensor column", "mlobj Parquet shards (Spark reader)");
    ratio(seconds, "tensor column", "mlobj Parquet shards (kernel reader)");
    ratio(seconds, "tensor column", "mlobj Arrow IPC shards");
  }

  private static void ratio(Map<String, Double> seconds, String scan, String variant) {
    double parquet = seconds.get(scan + ", spark.read.parquet");
    double mlobj = seconds.get(scan + ", " + variant);
    System.out.printf(
        "%-15s %-40s speed vs spark.read.parquet: %.2fx%n", scan, variant, parquet / mlobj);
  }

  private static double best(int runs, Supplier<org.apache.spark.sql.Dataset<Row>> df) {
    df.get().write().format("noop").mode("overwrite").save(); // warm-up
    double best = Double.MAX_VALUE;
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      df.get().write().format("noop").mode("overwrite").save();
      best = Math.min(best, (System.nanoTime() - start) / 1e9);
    }
    return best;
  }
}
