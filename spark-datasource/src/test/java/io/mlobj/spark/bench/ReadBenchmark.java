package io.mlobj.spark.bench;

import io.mlobj.s3server.EmbeddedS3;
import io.mlobj.testing.BenchResults;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Side-by-side read benchmark (not a test): the same Parquet shard files read through {@code
 * format("mlobj")} and through {@code spark.read.parquet}, plus Arrow IPC shards with a tensor
 * column. Every read materializes all selected columns into Spark's {@code noop} sink; each case
 * runs once to warm up, then {@code runs} times, and the best wall time is reported, with the least
 * CPU time the Spark tasks used in one run (less sensitive to other load on the machine).
 *
 * <p>Arguments (all optional): {@code rows} (default 2000000), {@code tensorRows} (20000), {@code
 * runs} (3), {@code master} (local[2]), {@code only} (run only the cases whose name contains this,
 * e.g. {@code tensor}, or one of several such parts separated by {@code |}, e.g. {@code
 * spark.read.parquet|kernel Parquet reader}). See docs/spark.md for the command.
 */
public final class ReadBenchmark {
  private ReadBenchmark() {}

  /** CPU time of the Spark tasks (not of the S3 server), summed by a listener. */
  private static final java.util.concurrent.atomic.AtomicLong TASK_CPU_NANOS =
      new java.util.concurrent.atomic.AtomicLong();

  /** Task CPU seconds of each case: the least over its runs. */
  private static final Map<String, Double> CPU = new LinkedHashMap<>();

  private static double lastCpu;

  private static int lastPartitions;

  /** Input partitions of each case. */
  private static final Map<String, Integer> PARTITIONS = new LinkedHashMap<>();

  /** Runs only the cases whose name contains one of these (5th argument, |-separated; all). */
  private static String[] only = {""};

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
    long tensorRows = args.length > 1 ? Long.parseLong(args[1]) : 20_000;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    String master = args.length > 3 ? args[3] : "local[2]";
    only = args.length > 4 ? args[4].split("\\|") : new String[] {""};
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
      spark
          .sparkContext()
          .addSparkListener(
              new org.apache.spark.scheduler.SparkListener() {
                @Override
                public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
                  if (end.taskMetrics() != null) {
                    TASK_CPU_NANOS.addAndGet(end.taskMetrics().executorCpuTime());
                  }
                }
              });
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
    measure(seconds, runs, "full scan, spark.read.parquet", () -> parquet(spark, wide));
    measure(
        seconds,
        runs,
        "full scan, mlobj (Spark Parquet reader)",
        () -> mlobj(spark, "parquetReader", "spark").load(wide));
    measure(
        seconds,
        runs,
        "full scan, mlobj (kernel Parquet reader)",
        () -> mlobj(spark, "parquetReader", "mlobj").load(wide));
    measure(
        seconds,
        runs,
        "2 of 20 columns, spark.read.parquet",
        () -> parquet(spark, wide).select(two[0], two[1]));
    measure(
        seconds,
        runs,
        "2 of 20 columns, mlobj (Spark Parquet reader)",
        () -> mlobj(spark, "parquetReader", "spark").load(wide).select(two[0], two[1]));
    measure(
        seconds,
        runs,
        "2 of 20 columns, mlobj (kernel Parquet reader)",
        () -> mlobj(spark, "parquetReader", "mlobj").load(wide).select(two[0], two[1]));
    measure(
        seconds,
        runs,
        "tensor column, spark.read.parquet",
        () -> parquet(spark, tensorsParquet).select("image"));
    measure(
        seconds,
        runs,
        "tensor column, mlobj Parquet shards (Spark reader)",
        () -> mlobj(spark, "parquetReader", "spark").load(tensorsParquet).select("image"));
    measure(
        seconds,
        runs,
        "tensor column, mlobj Parquet shards (kernel reader)",
        () -> mlobj(spark, "parquetReader", "mlobj").load(tensorsParquet).select("image"));
    measure(
        seconds,
        runs,
        "tensor column, mlobj Arrow IPC shards",
        () -> mlobj(spark).load(tensors).select("image"));
    // The two Parquet readers as they were before row reads and batches sized to the row width.
    for (String reader : new String[] {"spark", "mlobj"}) {
      measure(
          seconds,
          runs,
          "tensor column, mlobj Parquet shards ("
              + (reader.equals("spark") ? "Spark" : "kernel")
              + " reader, columnar, batchRows=8192)",
          () ->
              mlobj(spark, "parquetReader", reader, "batchRows", "8192", "readAs", "columnar")
                  .load(tensorsParquet)
                  .select("image"));
    }
    // The same two reads as columnar batches (readAs=columnar).
    measure(
        seconds,
        runs,
        "tensor column, mlobj Parquet shards (kernel reader, readAs=columnar)",
        () ->
            mlobj(spark, "parquetReader", "mlobj", "readAs", "columnar")
                .load(tensorsParquet)
                .select("image"));
    measure(
        seconds,
        runs,
        "tensor column, mlobj Arrow IPC shards (readAs=columnar)",
        () -> mlobj(spark, "readAs", "columnar").load(tensors).select("image"));

    System.out.printf(
        "%nrows=%d (20 columns), tensorRows=%d (3x32x32 float32)%n", rows, tensorRows);
    System.out.println(chunkBytes(spark, wide, two));
    System.out.printf("%-75s %8s %12s %11s%n", "", "wall", "task CPU", "partitions");
    seconds.forEach(
        (k, v) ->
            System.out.printf("%-75s %8.2f s %8.2f s %11d%n", k, v, CPU.get(k), PARTITIONS.get(k)));
    System.out.println();
    // Every mlobj case against spark.read.parquet of the same scan ("<scan>, <variant>").
    for (String name : seconds.keySet()) {
      int comma = name.indexOf(", ");
      String variant = name.substring(comma + 2);
      if (!variant.equals("spark.read.parquet")) {
        ratio(seconds, name.substring(0, comma), variant, runs);
      }
    }
  }

  /**
   * What a scan of {@code columns} must fetch, from the shards' footers: the whole shards (the
   * kernel reader verifies each shard's CRC32C, so it fetches every byte) against the column chunks
   * of those columns (all Spark's Parquet reader fetches, besides the footers).
   */
  private static String chunkBytes(SparkSession spark, String dataset, String... columns) {
    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
    long files = 0;
    long whole = 0;
    long chunks = 0;
    try {
      org.apache.hadoop.fs.Path data = new org.apache.hadoop.fs.Path(dataset + "/data");
      org.apache.hadoop.fs.FileSystem fs = data.getFileSystem(conf);
      org.apache.hadoop.fs.RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> it =
          fs.listFiles(data, true);
      while (it.hasNext()) {
        org.apache.hadoop.fs.LocatedFileStatus file = it.next();
        files++;
        whole += file.getLen();
        try (org.apache.parquet.hadoop.ParquetFileReader footer =
            org.apache.parquet.hadoop.ParquetFileReader.open(
                org.apache.parquet.hadoop.util.HadoopInputFile.fromStatus(file, conf))) {
          for (org.apache.parquet.hadoop.metadata.BlockMetaData block : footer.getRowGroups()) {
            for (org.apache.parquet.hadoop.metadata.ColumnChunkMetaData chunk :
                block.getColumns()) {
              if (List.of(columns).contains(chunk.getPath().toDotString())) {
                chunks += chunk.getTotalSize();
              }
            }
          }
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return String.format(
        "%s: %d shards, %.1f MB; the column chunks of %s: %.1f MB",
        dataset, files, whole / 1e6, List.of(columns), chunks / 1e6);
  }

  /** {@code spark.read.parquet} over the shard files of a dataset. */
  private static org.apache.spark.sql.Dataset<Row> parquet(SparkSession spark, String dataset) {
    return spark.read().option("recursiveFileLookup", "true").parquet(dataset + "/data");
  }

  /** {@code spark.read.format("mlobj")} with options given as key, value, key, value... */
  private static DataFrameReader mlobj(SparkSession spark, String... options) {
    DataFrameReader reader = spark.read().format("mlobj");
    for (int i = 0; i < options.length; i += 2) {
      reader = reader.option(options[i], options[i + 1]);
    }
    return reader;
  }

  /** Times a case (best of {@code runs}) unless the 5th argument filters it out. */
  private static void measure(
      Map<String, Double> seconds,
      int runs,
      String name,
      Supplier<org.apache.spark.sql.Dataset<Row>> df) {
    if (java.util.Arrays.stream(only).anyMatch(name::contains)) {
      seconds.put(name, best(runs, df));
      CPU.put(name, lastCpu);
      PARTITIONS.put(name, lastPartitions);
    }
  }

  private static void ratio(Map<String, Double> seconds, String scan, String variant, int runs) {
    if (!seconds.containsKey(scan + ", spark.read.parquet")
        || !seconds.containsKey(scan + ", " + variant)) {
      return;
    }
    double parquet = seconds.get(scan + ", spark.read.parquet");
    double mlobj = seconds.get(scan + ", " + variant);
    System.out.printf(
        "%-15s %-58s speed vs spark.read.parquet: %.2fx%n", scan, variant, parquet / mlobj);
    Map<String, Object> result =
        BenchResults.result(
            "Spark " + scan + ": " + variant + " vs spark.read.parquet",
            mlobj,
            parquet,
            "s",
            runs,
            "<= 1.0");
    result.put("method", "best of runs after a warm-up");
    result.put("ours_task_cpu_s", CPU.get(scan + ", " + variant));
    result.put("baseline_task_cpu_s", CPU.get(scan + ", spark.read.parquet"));
    BenchResults.record(result);
  }

  private static double best(int runs, Supplier<org.apache.spark.sql.Dataset<Row>> df) {
    df.get().write().format("noop").mode("overwrite").save(); // warm-up
    lastPartitions = df.get().queryExecution().executedPlan().execute().getNumPartitions();
    double best = Double.MAX_VALUE;
    lastCpu = Double.MAX_VALUE;
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      TASK_CPU_NANOS.set(0);
      df.get().write().format("noop").mode("overwrite").save();
      best = Math.min(best, (System.nanoTime() - start) / 1e9);
      // Task-end events are delivered asynchronously: give the listener bus a moment.
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      lastCpu = Math.min(lastCpu, TASK_CPU_NANOS.get() / 1e9);
    }
    return best;
  }
}
