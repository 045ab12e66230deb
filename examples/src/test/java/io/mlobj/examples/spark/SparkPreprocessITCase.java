package io.mlobj.examples.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.Lineage;
import io.mlobj.Snapshot;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SparkPreprocessITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    SparkSession.Builder builder =
        SparkSession.builder()
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "2");
    S3.conf().forEach((k, v) -> builder.config("spark.hadoop." + k, v));
    spark = builder.getOrCreate();
  }

  @AfterAll
  static void stopSpark() throws java.io.IOException {
    spark.stop();
    // Later test classes start another S3 server for the same bucket: drop cached s3a clients.
    org.apache.hadoop.fs.FileSystem.closeAll();
  }

  @Test
  void normalizesSplitsAndRecordsLineage() {
    String raw = S3.newDatasetUri();
    String out = S3.newDatasetUri();
    Snapshot v =
        SparkPreprocess.run(spark, new SparkPreprocess.Options(raw, out, 500, 0.2, "arrow"));

    FixedShapeTensorType image = FixedShapeTensorType.of(v.schema().findField("image"));
    assertThat(image.shape()).containsExactly(3, 32, 32);
    assertThat(image.valueType())
        .isEqualTo(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
    assertThat(v.partitionColumns()).containsExactly("split");
    assertThat(v.rows()).isEqualTo(500);
    assertThat(Lineage.split(v.summary().properties().get(Lineage.SOURCES)))
        .containsExactly(Lineage.ref(Dataset.open(raw, S3.conf()).uri(), 1));
    assertThat(v.summary().properties().get(Lineage.JOB))
        .isEqualTo(spark.sparkContext().applicationId());

    List<Row> splits =
        spark
            .read()
            .format("mlobj")
            .load(out)
            .groupBy("split")
            .count()
            .orderBy("split")
            .collectAsList();
    assertThat(splits).extracting(r -> r.getString(0)).containsExactly("train", "val");
    assertThat(splits.get(1).getLong(1)).isBetween(50L, 150L);
    Row range =
        spark
            .read()
            .format("mlobj")
            .load(out)
            .selectExpr("min(array_min(image))", "max(array_max(image))")
            .first();
    assertThat(range.getFloat(0)).isGreaterThanOrEqualTo(-1f);
    assertThat(range.getFloat(1)).isLessThanOrEqualTo(1f);

    // Running it again commits a new version of the output.
    Snapshot again = SparkPreprocess.run(spark, SparkPreprocess.Options.of(raw, out));
    assertThat(again.version()).isEqualTo(v.version() + 1);
  }
}
