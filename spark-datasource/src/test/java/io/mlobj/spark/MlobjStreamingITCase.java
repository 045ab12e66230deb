package io.mlobj.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.testing.EmbeddedS3Extension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The streaming source and the exactly-once sink, across query restarts. */
class MlobjStreamingITCase {
  @RegisterExtension static final SparkExtension SPARK = new SparkExtension();
  static final EmbeddedS3Extension S3 = SPARK.s3();

  private static void append(String uri, long from, long to) {
    SPARK.session().range(from, to, 1, 2).write().format("mlobj").mode("append").save(uri);
  }

  private static void runOnce(String source, String target, Path checkpoint) throws Exception {
    StreamingQuery query =
        SPARK
            .session()
            .readStream()
            .format("mlobj")
            .load(source)
            .selectExpr("id", "id * 2 AS doubled")
            .writeStream()
            .format("mlobj")
            .option("checkpointLocation", checkpoint.toString())
            .trigger(Trigger.AvailableNow())
            .start(target);
    query.awaitTermination();
    assertThat(query.exception().isEmpty()).isTrue();
  }

  private static org.apache.spark.sql.Dataset<Row> read(String uri) {
    return SPARK.session().read().format("mlobj").load(uri);
  }

  @Test
  void newVersionsStreamThroughAfterARestartExactlyOnce(@TempDir Path dir) throws Exception {
    String source = S3.newDatasetUri();
    String target = S3.newDatasetUri();
    Path checkpoint = dir.resolve("checkpoint");
    append(source, 0, 10);
    append(source, 10, 30);

    runOnce(source, target, checkpoint);
    assertThat(read(target).count()).isEqualTo(30);

    // New versions after the restart are picked up, old ones are not re-read.
    append(source, 30, 35);
    runOnce(source, target, checkpoint);
    assertThat(read(target).count()).isEqualTo(35);
    assertThat(read(target).select("id").distinct().count()).isEqualTo(35);
    long committed = Dataset.open(target, S3.conf()).latestVersion();

    // A crash after the sink committed but before Spark recorded the batch: drop the last
    // commit marker so Spark replays that batch with the same id. The sink must skip it.
    append(source, 35, 40);
    runOnce(source, target, checkpoint);
    assertThat(read(target).count()).isEqualTo(40);
    File[] commits =
        checkpoint.resolve("commits").toFile().listFiles(f -> !f.getName().startsWith("."));
    File last =
        Arrays.stream(commits)
            .max(Comparator.comparingLong(f -> Long.parseLong(f.getName())))
            .orElseThrow();
    long versionBeforeReplay = Dataset.open(target, S3.conf()).latestVersion();
    Files.delete(last.toPath());
    Files.deleteIfExists(last.toPath().resolveSibling("." + last.getName() + ".crc"));
    runOnce(source, target, checkpoint);
    assertThat(last).as("Spark replayed the batch and re-recorded it").exists();
    assertThat(read(target).count()).isEqualTo(40);
    assertThat(read(target).select("id").distinct().count()).isEqualTo(40);
    assertThat(Dataset.open(target, S3.conf()).latestVersion()).isEqualTo(versionBeforeReplay);
    assertThat(Dataset.open(target, S3.conf()).latest().appTransactions()).hasSize(1);
    assertThat(committed).isLessThan(versionBeforeReplay);
    assertThat(read(target).where("doubled = id * 2").count()).isEqualTo(40);
  }

  @Test
  void startingVersionLatestSkipsExistingData(@TempDir Path dir) throws Exception {
    String source = S3.newDatasetUri();
    append(source, 0, 10);
    StreamingQuery query =
        SPARK
            .session()
            .readStream()
            .format("mlobj")
            .option("startingVersion", "latest")
            .load(source)
            .writeStream()
            .format("memory")
            .queryName("latest_only")
            .option("checkpointLocation", dir.resolve("cp").toString())
            .start();
    try {
      query.processAllAvailable();
      append(source, 100, 103);
      query.processAllAvailable();
      assertThat(SPARK.session().sql("SELECT id FROM latest_only ORDER BY id").collectAsList())
          .extracting(r -> r.getLong(0))
          .containsExactly(100L, 101L, 102L);
    } finally {
      query.stop();
    }
  }
}
