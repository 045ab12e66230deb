package io.mlobj.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The application the Spark cluster test submits with {@code spark-submit --jars
 * mlobj-spark-runtime.jar}: it uses only Spark's API and {@code format("mlobj")}, as a user's job
 * would. Every check throws, so a wrong result fails the driver with a non-zero exit code.
 *
 * <ul>
 *   <li>{@code pipeline <base> <rows>}: writes a raw dataset, preprocesses it into a new version,
 *       reads both versions back with time travel, and runs docs/spark.md's SQL catalog statements.
 *   <li>{@code gated-write <base> <rows> <latch dir>}: appends {@code rows} rows whose first task
 *       attempts stop half way through their partition until {@code <latch dir>/go} exists, after
 *       writing {@code started-<partition>-<executor pid>} there, so the test can SIGKILL an
 *       executor in the middle of a write. Then checks that every row is there exactly once.
 * </ul>
 */
public final class SparkClusterJob {
  private SparkClusterJob() {}

  public static void main(String[] args) throws Exception {
    SparkSession spark = SparkSession.builder().appName("mlobj-cluster-" + args[0]).getOrCreate();
    try {
      switch (args[0]) {
        case "pipeline" -> pipeline(spark, args[1], Long.parseLong(args[2]));
        case "gated-write" -> gatedWrite(spark, args[1], Long.parseLong(args[2]), args[3]);
        default -> throw new IllegalArgumentException("Unknown mode " + args[0]);
      }
      System.out.println("mlobj-cluster-job: OK " + args[0]);
    } finally {
      spark.stop();
    }
  }

  private static void pipeline(SparkSession spark, String base, long rows) {
    String uri = base + "/images";
    spark
        .range(0, rows, 1, 4)
        .selectExpr(
            "id",
            "cast(id % 10 AS int) AS label",
            "array(cast(id AS float), cast(id * 2 AS float)) AS features")
        .write()
        .format("mlobj")
        .mode("append")
        .save(uri);
    // Preprocess version 1 into version 2 of the same dataset, on the executors.
    spark
        .read()
        .format("mlobj")
        .option("versionAsOf", 1)
        .load(uri)
        .selectExpr(
            "id", "label", "transform(features, x -> cast(x / 1000.0 AS float)) AS features")
        .write()
        .format("mlobj")
        .mode("overwrite")
        .save(uri);
    Row raw = sums(spark.read().format("mlobj").option("versionAsOf", 1).load(uri));
    Row prepared = sums(spark.read().format("mlobj").load(uri));
    long idSum = rows * (rows - 1) / 2;
    check(raw.getLong(0) == rows && prepared.getLong(0) == rows, "rows: " + raw + " " + prepared);
    check(Math.abs(raw.getDouble(1) - idSum) < 1e-3 * idSum, "version 1 features: " + raw);
    check(
        Math.abs(prepared.getDouble(1) - idSum / 1000.0) < 1e-3 * idSum / 1000.0,
        "version 2 features: " + prepared);

    // docs/spark.md, "SQL catalog", with the catalog configured on the command line.
    sql(
        spark,
        "CREATE TABLE ml.db.images (id BIGINT, label INT, split STRING) USING mlobj"
            + " PARTITIONED BY (split)");
    sql(spark, "INSERT INTO ml.db.images VALUES (1, 3, 'train')");
    sql(spark, "INSERT OVERWRITE ml.db.images PARTITION (split = 'val') SELECT 100, 1");
    long latest = count(spark, "SELECT count(*) FROM ml.db.images.history");
    check(count(spark, "SELECT count(*) FROM ml.db.images") == 2, "rows after the overwrite");
    check(
        count(spark, "SELECT count(*) FROM ml.db.images VERSION AS OF " + (latest - 1)) == 1,
        "rows before the overwrite");
    check(
        count(spark, "SELECT count(*) FROM ml.db.images TIMESTAMP AS OF '" + Instant.now() + "'")
            == 2,
        "rows at the current time");
    check(count(spark, "SELECT count(*) FROM ml.db.images.shards") == 2, "shards");
    check(count(spark, "SELECT count(*) FROM ml.db.images.tags") == 0, "tags");
    List<Row> tables = spark.sql("SHOW TABLES IN ml.db").collectAsList();
    check(tables.size() == 1 && tables.get(0).getString(1).equals("images"), "tables " + tables);
    sql(spark, "DROP TABLE ml.db.images");
    check(spark.sql("SHOW TABLES IN ml.db").collectAsList().isEmpty(), "table dropped");
  }

  private static void gatedWrite(SparkSession spark, String base, long rows, String latch) {
    String uri = base + "/gated";
    Dataset<Row> source =
        spark.range(0, rows, 1, 4).selectExpr("id", "array(cast(id AS float)) AS features");
    long half = rows / 8;
    source
        .mapPartitions(
            (MapPartitionsFunction<Row, Row>) it -> new GatedIterator(it, half, latch),
            Encoders.row(source.schema()))
        .write()
        .format("mlobj")
        .mode("append")
        .save(uri);
    Dataset<Row> written = spark.read().format("mlobj").load(uri);
    long count = written.count();
    long distinct = written.select("id").distinct().count();
    check(count == rows && distinct == rows, "rows " + count + ", distinct ids " + distinct);
  }

  private static Row sums(Dataset<Row> df) {
    return df.selectExpr("count(*)", "sum(cast(features[0] AS double))").first();
  }

  private static void sql(SparkSession spark, String statement) {
    spark.sql(statement).collectAsList();
  }

  private static long count(SparkSession spark, String query) {
    return spark.sql(query).first().getLong(0);
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("Cluster job check failed: " + what);
    }
  }

  /** Passes rows through; a first attempt pauses after {@code pauseAfter} rows until released. */
  private static final class GatedIterator implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final long pauseAfter;
    private final Path latch;
    private long emitted;

    GatedIterator(Iterator<Row> rows, long pauseAfter, String latch) {
      this.rows = rows;
      this.pauseAfter = pauseAfter;
      this.latch = Path.of(latch);
    }

    @Override
    public boolean hasNext() {
      return rows.hasNext();
    }

    @Override
    public Row next() {
      TaskContext task = TaskContext.get();
      if (emitted++ == pauseAfter && task.attemptNumber() == 0) {
        awaitRelease(task.partitionId());
      }
      return rows.next();
    }

    private void awaitRelease(int partition) {
      try {
        Files.writeString(
            latch.resolve("started-" + partition + "-" + ProcessHandle.current().pid()), "");
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (!Files.exists(latch.resolve("go")) && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
