package io.mlobj.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.registry.CheckpointRegistry;
import io.mlobj.testing.EmbeddedS3Extension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The registry's metadata is queryable from Spark SQL, through its index. */
class RegistryTableITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static SparkSession spark;
  private static String root;

  @BeforeAll
  static void setUp() {
    spark = SparkSessions.builder(S3, "local[2]").getOrCreate();
    root = "s3a://" + S3.bucket() + "/registry-" + UUID.randomUUID();
    byte[] model = "weights".getBytes(StandardCharsets.UTF_8);
    try (CheckpointRegistry registry = CheckpointRegistry.open(root, S3.conf())) {
      registry.put("cnn", model, Map.of("loss", "0.9"), List.of("s3a://b/images@v3"));
      registry.put("cnn", model, Map.of("loss", "0.4"), List.of("s3a://b/images@v3"));
      registry.put("cnn", model, Map.of("loss", "0.3"), List.of("s3a://b/images@v4"));
      registry.tag("cnn", 2, "tested");
      registry.tag("cnn", 3, "tested");
    }
  }

  @AfterAll
  static void tearDown() {
    SparkSessions.stop(spark);
  }

  @Test
  void aSentenceQueryBecomesATableSqlCanFilterAndSort() {
    spark
        .read()
        .format("mlobj-registry")
        .option("registry", root)
        .option("query", "checkpoints tagged tested trained on s3a://b/images at version 3")
        .load()
        .createOrReplaceTempView("tested");
    List<Row> rows =
        spark
            .sql("SELECT ref, metadata['loss'], lineage FROM tested ORDER BY version")
            .collectAsList();
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getString(0)).isEqualTo("cnn@v2");
    assertThat(rows.get(0).getString(1)).isEqualTo("0.4");
    assertThat(rows.get(0).<String>getList(2)).containsExactly("s3a://b/images@v3");
  }

  @Test
  void withoutAQueryEveryCheckpointIsListed() {
    List<Row> rows =
        spark
            .read()
            .format("mlobj-registry")
            .option("registry", root)
            .load()
            .where("array_contains(tags, 'tested')")
            .orderBy("version")
            .select("version")
            .collectAsList();
    assertThat(rows).extracting(r -> r.getLong(0)).containsExactly(2L, 3L);
  }

  @Test
  void aMissingRegistryOptionIsAClearError() {
    assertThatThrownBy(() -> spark.read().format("mlobj-registry").load().collectAsList())
        .hasMessageContaining("Cannot use option 'registry'");
  }
}
