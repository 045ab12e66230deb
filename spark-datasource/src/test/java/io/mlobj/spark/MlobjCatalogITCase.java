package io.mlobj.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.Dataset;
import io.mlobj.Lineage;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MlobjCatalogITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static SparkSession spark;
  private static String warehouse;

  @BeforeAll
  static void startSpark() {
    warehouse = "s3a://" + S3.bucket() + "/warehouse-" + UUID.randomUUID();
    spark =
        SparkSessions.builder(S3, "local[2]")
            .config("spark.sql.catalog.ml", "io.mlobj.spark.catalog.MlobjCatalog")
            .config("spark.sql.catalog.ml.warehouse", warehouse)
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    SparkSessions.stop(spark);
  }

  private static List<Row> sql(String query) {
    return spark.sql(query).collectAsList();
  }

  private static long count(String query) {
    return spark.sql(query).first().getLong(0);
  }

  @Test
  void createInsertOverwriteTimeTravelAndDrop() {
    sql(
        "CREATE TABLE ml.db.images (id BIGINT, label INT, split STRING) USING mlobj"
            + " PARTITIONED BY (split)");
    Dataset ds = Dataset.open(warehouse + "/db/images", S3.conf());
    assertThat(ds.latest().partitionColumns()).containsExactly("split");

    sql("INSERT INTO ml.db.images VALUES (1, 3, 'train'), (2, 4, 'train'), (3, 5, 'val')");
    sql("INSERT INTO ml.db.images SELECT id, cast(id % 10 as int), 'train' FROM range(10, 20)");
    assertThat(count("SELECT count(*) FROM ml.db.images")).isEqualTo(13);
    assertThat(sql("SELECT label FROM ml.db.images WHERE id = 3").get(0).getInt(0)).isEqualTo(5);

    // Static partition overwrite: only 'val' is replaced.
    sql("INSERT OVERWRITE ml.db.images PARTITION (split = 'val') SELECT 100, 1");
    assertThat(count("SELECT count(*) FROM ml.db.images WHERE split = 'val'")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM ml.db.images WHERE split = 'train'")).isEqualTo(12);
    // Full overwrite.
    sql("INSERT OVERWRITE ml.db.images SELECT 7, 7, 'test'");
    assertThat(count("SELECT count(*) FROM ml.db.images")).isEqualTo(1);

    assertThat(count("SELECT count(*) FROM ml.db.images VERSION AS OF 2")).isEqualTo(3);
    assertThat(count("SELECT count(*) FROM ml.db.images VERSION AS OF 3")).isEqualTo(13);
    long v3Time = ds.version(3).timestampMillis();
    String ts = java.time.Instant.ofEpochMilli(v3Time).toString();
    assertThat(count("SELECT count(*) FROM ml.db.images TIMESTAMP AS OF '" + ts + "'"))
        .isEqualTo(13);
    ds.tag("golden", 4, Map.of());
    assertThat(count("SELECT count(*) FROM ml.db.images VERSION AS OF 'golden'")).isEqualTo(13);
    assertThatThrownBy(() -> sql("SELECT * FROM ml.db.images VERSION AS OF 99"))
        .hasMessageContaining("Cannot read version 99");

    assertThat(sql("SHOW TABLES IN ml.db")).extracting(r -> r.getString(1)).contains("images");
    sql("DROP TABLE ml.db.images");
    assertThat(Dataset.at(warehouse + "/db/images", S3.conf()).exists()).isFalse();
    assertThat(Dataset.at(warehouse + "/db/images", S3.conf()).store().list("", null)).isEmpty();
    assertThatThrownBy(() -> sql("SELECT * FROM ml.db.images"))
        .hasMessageContaining("TABLE_OR_VIEW_NOT_FOUND");
  }

  @Test
  void metadataTablesShowHistoryShardsAndTags() {
    sql("CREATE TABLE ml.db.meta (id BIGINT, split STRING) USING mlobj PARTITIONED BY (split)");
    sql("INSERT INTO ml.db.meta VALUES (1, 'train'), (2, 'val')");
    sql("INSERT INTO ml.db.meta VALUES (3, 'train')");
    Dataset ds = Dataset.open(warehouse + "/db/meta", S3.conf());
    ds.tag("v2", 2, Map.of("by", "test"));

    List<Row> history =
        sql("SELECT version, operation, total_rows, summary FROM ml.db.meta.history ORDER BY 1");
    assertThat(history).extracting(r -> r.getLong(0)).containsExactly(1L, 2L, 3L);
    assertThat(history)
        .extracting(r -> r.getString(1))
        .containsExactly("create", "append", "append");
    assertThat(history.get(2).getLong(2)).isEqualTo(3);
    assertThat(history.get(2).<String, String>getJavaMap(3))
        .containsEntry(Lineage.JOB, spark.sparkContext().applicationId());

    List<Row> shards = sql("SELECT path, rows, bytes, partition['split'] FROM ml.db.meta.shards");
    assertThat(shards).hasSize(3);
    assertThat(shards).extracting(r -> r.getString(3)).containsOnly("train", "val");
    assertThat(shards).allSatisfy(r -> assertThat(r.getLong(2)).isPositive());
    assertThat(shards.stream().mapToLong(r -> r.getLong(1)).sum()).isEqualTo(3);

    List<Row> tags = sql("SELECT name, version, properties['by'] FROM ml.db.meta.tags");
    assertThat(tags).hasSize(1);
    assertThat(tags.get(0).getString(0)).isEqualTo("v2");
    assertThat(tags.get(0).getLong(1)).isEqualTo(2);
    assertThat(tags.get(0).getString(2)).isEqualTo("test");
  }

  @Test
  void appendingIncompatibleDataFailsClearly() {
    sql("CREATE TABLE ml.db.strict (id BIGINT, name STRING) USING mlobj");
    assertThatThrownBy(() -> sql("INSERT INTO ml.db.strict VALUES (1, 'a', 'extra')"))
        .hasMessageContaining("INSERT_COLUMN_ARITY_MISMATCH");
    assertThat(Dataset.open(warehouse + "/db/strict", S3.conf()).latestVersion()).isEqualTo(1);
  }
}
