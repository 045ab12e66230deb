package io.mlobj.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.MlobjConf;
import io.mlobj.Shard;
import io.mlobj.testing.EmbeddedS3Extension;
import io.mlobj.testing.FaultInjectingProxy;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Spark write hands its tasks' start time to the driver's commit (issue 13, case 4): a write that
 * began longer ago than {@code mlobj.commit.check-shards-after} checks that each of its shards
 * still exists (one HEAD each, seen at a proxy) before the version file is written, as a kernel
 * writer's commit does.
 */
class LongWriteCommitSparkITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = SparkSessions.start(S3);
  }

  @AfterAll
  static void stopSpark() {
    SparkSessions.stop(spark);
  }

  /** Writes 4 partitions through a proxy; returns the shard HEAD requests the proxy saw. */
  private static List<String> shardHeadsOfWrite(String uri, String checkAfter) {
    try (FaultInjectingProxy proxy =
        FaultInjectingProxy.inFrontOf(S3.server().endpoint()).start()) {
      spark
          .range(0, 400, 1, 4)
          .write()
          .format("mlobj")
          .option("fs.s3a.endpoint", proxy.endpoint())
          .option(MlobjConf.COMMIT_CHECK_SHARDS_AFTER, checkAfter)
          .mode("append")
          .save(uri);
      return proxy.log().stream()
          .filter(line -> line.startsWith("HEAD ") && line.contains("/data/"))
          .toList();
    }
  }

  @Test
  void writeOlderThanTheCheckAgeHeadsEveryShardBeforeCommitting() {
    String uri = S3.newDatasetUri();
    List<String> heads = shardHeadsOfWrite(uri, "1ms");

    Dataset dataset = Dataset.open(uri, S3.conf());
    List<Shard> shards = dataset.latest().shards();
    assertThat(dataset.latest().rows()).isEqualTo(400);
    assertThat(shards).hasSize(4);
    for (Shard shard : shards) {
      assertThat(heads).anyMatch(line -> line.contains(shard.path()));
    }
  }

  @Test
  void writeYoungerThanTheCheckAgeCommitsWithoutHeads() {
    String uri = S3.newDatasetUri();
    List<String> heads = shardHeadsOfWrite(uri, "1h");

    assertThat(heads).isEmpty();
    assertThat(Dataset.open(uri, S3.conf()).latest().rows()).isEqualTo(400);
  }
}
