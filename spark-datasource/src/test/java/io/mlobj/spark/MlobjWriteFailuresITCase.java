package io.mlobj.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.Dataset;
import io.mlobj.Shard;
import io.mlobj.store.ObjectInfo;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.spark.TaskContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exactly-once writes under failures: retried and speculative tasks, aborted jobs and concurrent
 * writers. Tasks may fail up to 4 times (local[2,4]) and speculation is on.
 */
class MlobjWriteFailuresITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static SparkSession spark;
  private static final AtomicInteger SPECULATIVE = new AtomicInteger();

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSessions.builder(S3, "local[2,4]")
            .config("spark.speculation", "true")
            .config("spark.speculation.interval", "50ms")
            .config("spark.speculation.multiplier", "1.1")
            .config("spark.speculation.quantile", "0.1")
            .config("spark.speculation.minTaskRuntime", "100ms")
            .getOrCreate();
    spark
        .sparkContext()
        .addSparkListener(
            new SparkListener() {
              @Override
              public void onTaskStart(SparkListenerTaskStart start) {
                if (start.taskInfo().speculative()) {
                  SPECULATIVE.incrementAndGet();
                }
              }
            });
  }

  @AfterAll
  static void stopSpark() {
    SparkSessions.stop(spark);
  }

  /** Fails partition 1's first attempt after half its rows were written (and shards uploaded). */
  private static final UDF1<Long, Long> FAIL_FIRST_ATTEMPT =
      id -> {
        TaskContext task = TaskContext.get();
        if (task.attemptNumber() == 0 && task.partitionId() == 1 && id == 750) {
          throw new IllegalStateException("injected failure of the first attempt");
        }
        return id;
      };

  private static final UDF1<Long, Long> ALWAYS_FAIL_PARTITION_2 =
      id -> {
        if (TaskContext.get().partitionId() == 2 && id % 100 == 50) {
          throw new IllegalStateException("injected failure of every attempt");
        }
        return id;
      };

  /** Partition 0 is slow, so speculation launches copies of it. */
  private static final UDF1<Long, Long> SLOW_PARTITION_0 =
      id -> {
        if (TaskContext.get().partitionId() == 0
            && TaskContext.get().attemptNumber() == 0
            && id % 50 == 0) {
          Thread.sleep(100);
        }
        return id;
      };

  private static org.apache.spark.sql.Dataset<Row> ids(long n, int partitions, UDF1<Long, Long> f) {
    UserDefinedFunction udf = udf(f, DataTypes.LongType);
    return spark.range(0, n, 1, partitions).select(udf.apply(col("id")).as("id"));
  }

  private static Dataset open(String uri) {
    return Dataset.open(uri, S3.conf());
  }

  /** Every object under data/ is a shard of the latest version: nothing leaked. */
  private static void assertNoOrphanShards(String uri) {
    Dataset ds = open(uri);
    Set<String> referenced =
        ds.latest().shards().stream().map(Shard::path).collect(Collectors.toSet());
    Set<String> stored =
        ds.store().list("data/", null).stream().map(ObjectInfo::key).collect(Collectors.toSet());
    assertThat(stored).isEqualTo(referenced);
  }

  private static void assertIdsExactlyOnce(String uri, long n) {
    org.apache.spark.sql.Dataset<Row> df = spark.read().format("mlobj").load(uri);
    assertThat(df.count()).isEqualTo(n);
    assertThat(df.select("id").distinct().count()).isEqualTo(n);
    assertThat(df.agg(org.apache.spark.sql.functions.max("id")).first().getLong(0))
        .isEqualTo(n - 1);
  }

  @Test
  void aTaskThatFailsOnItsFirstAttemptWritesItsRowsExactlyOnce() {
    String uri = S3.newDatasetUri();
    ids(1000, 2, FAIL_FIRST_ATTEMPT)
        .write()
        .format("mlobj")
        .mode("append")
        .option("targetShardSize", "1024")
        .option("writeBatchRows", "50")
        .save(uri);
    assertThat(open(uri).latestVersion()).isEqualTo(1);
    assertIdsExactlyOnce(uri, 1000);
    // The failed attempt had uploaded shards; its abort deleted them.
    assertThat(open(uri).latest().shards().size()).isGreaterThan(2);
    assertNoOrphanShards(uri);
  }

  /**
   * Local mode never launches speculative copies (the count is printed); {@code
   * write.DuplicateTaskAttemptsITCase} drives two attempts of one partition directly.
   */
  @Test
  void withSpeculationEnabledEveryRowIsWrittenOnce() {
    String uri = S3.newDatasetUri();
    int before = SPECULATIVE.get();
    ids(2000, 4, SLOW_PARTITION_0).write().format("mlobj").mode("append").save(uri);
    assertIdsExactlyOnce(uri, 2000);
    assertThat(open(uri).latestVersion()).isEqualTo(1);
    System.out.println("speculative tasks launched: " + (SPECULATIVE.get() - before));
  }

  /**
   * Spark drops the message of a task that commits while its job is already failing, so such a
   * task's shard can outlive the abort; it is in no version (invisible) and vacuum deletes it.
   */
  @Test
  void anAbortedJobLeavesNoVersionAndNothingVacuumCannotRemove() {
    String uri = S3.newDatasetUri();
    ids(100, 2, id -> id).write().format("mlobj").mode("append").save(uri);
    assertThatThrownBy(
            () ->
                ids(400, 4, ALWAYS_FAIL_PARTITION_2)
                    .write()
                    .format("mlobj")
                    .mode("append")
                    .save(uri))
        .hasStackTraceContaining("injected failure of every attempt");
    assertThat(open(uri).latestVersion()).isEqualTo(1);
    assertIdsExactlyOnce(uri, 100);
    io.mlobj.ops.Vacuum.builder(open(uri))
        .safetyWindow(java.time.Duration.ZERO)
        .dryRun(false)
        .build()
        .run(io.mlobj.ops.Progress.NONE);
    assertNoOrphanShards(uri);
    assertIdsExactlyOnce(uri, 100);
  }

  @Test
  void concurrentAppendsFromTwoSessionsBothLand() throws Exception {
    String uri = S3.newDatasetUri();
    ids(10, 1, id -> id).write().format("mlobj").mode("append").save(uri);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        long offset = 1000L * (t + 1);
        SparkSession session = spark.newSession();
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 3; i++) {
                    session
                        .range(offset + i * 100, offset + i * 100 + 100, 1, 2)
                        .write()
                        .format("mlobj")
                        .mode("append")
                        .save(uri);
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    Dataset ds = open(uri);
    assertThat(ds.latestVersion()).isEqualTo(7);
    assertThat(spark.read().format("mlobj").load(uri).count()).isEqualTo(610);
    assertThat(spark.read().format("mlobj").load(uri).select("id").distinct().count())
        .isEqualTo(610);
  }
}
