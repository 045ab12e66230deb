package io.mlobj.flink;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.MlobjException;
import io.mlobj.flink.sink.MlobjSink;
import io.mlobj.flink.source.MlobjSource;
import io.mlobj.testing.EmbeddedS3Extension;
import java.time.Duration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Missing datasets and bad options fail when the job is built, with messages that say why. */
class MlobjErrorsITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @Test
  void sourceOnAMissingPathNamesThePath() {
    String uri = S3.newDatasetUri();
    assertThatThrownBy(
            () ->
                MlobjSource.builder(new StringRows.Deserializer())
                    .path(uri)
                    .conf(S3.conf())
                    .build())
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("Cannot open dataset " + uri)
        .hasMessageContaining("there is no mlobj dataset there");
  }

  @Test
  void sourceBuilderReportsEveryBadSettingAtOnce() {
    assertThatThrownBy(
            () ->
                MlobjSource.builder(new StringRows.Deserializer())
                    .batchRows(0)
                    .version(3)
                    .continuous(Duration.ofSeconds(1))
                    .build())
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("Cannot build the mlobj source")
        .hasMessageContaining("'path' is required")
        .hasMessageContaining("'batchRows' = 0 must be positive")
        .hasMessageContaining("a continuous read cannot also time-travel");
  }

  @Test
  void sinkOnAMissingDatasetWithoutSchemaSaysHowToFix() {
    assertThatThrownBy(
            () ->
                MlobjSink.<String>builder()
                    .path(S3.newDatasetUri())
                    .conf(S3.conf())
                    .serializer(new StringRows.Serializer())
                    .build())
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("the dataset does not exist and no schema was given");
  }

  @Test
  void sinkBuilderRejectsBadFormatAndSize() {
    assertThatThrownBy(
            () ->
                MlobjSink.<String>builder()
                    .path(S3.newDatasetUri())
                    .serializer(new StringRows.Serializer())
                    .format("csv")
                    .targetShardSize("lots")
                    .build())
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("'format' = 'csv' must be parquet or arrow")
        .hasMessageContaining("'targetShardSize' = 'lots'");
  }

  private static TableEnvironment sql() {
    return TableEnvironment.create(EnvironmentSettings.inBatchMode());
  }

  @Test
  void sqlTableWithoutPathIsRejected() {
    TableEnvironment env = sql();
    env.executeSql("CREATE TABLE t (x INT) WITH ('connector' = 'mlobj')");
    assertThatThrownBy(() -> env.explainSql("SELECT * FROM t"))
        .rootCause()
        .hasMessageContaining("Missing required options")
        .hasMessageContaining("path");
  }

  @Test
  void sqlTableWithAMisspelledOptionIsRejected() {
    TableEnvironment env = sql();
    env.executeSql(
        "CREATE TABLE t (x INT) WITH ('connector' = 'mlobj', 'path' = 's3a://b/x',"
            + " 'versoin' = '3')");
    assertThatThrownBy(() -> env.explainSql("SELECT * FROM t"))
        .rootCause()
        .hasMessageContaining("Unsupported options")
        .hasMessageContaining("versoin");
  }

  @Test
  void sqlSelectFromAMissingDatasetNamesThePath() {
    TableEnvironment env = sql();
    String uri = S3.newDatasetUri();
    env.executeSql(
        "CREATE TABLE t (x INT) WITH ('connector' = 'mlobj', 'path' = '"
            + uri
            + "',\n"
            + MlobjSqlITCase.storageOptionsOf(S3)
            + ")");
    assertThatThrownBy(() -> env.explainSql("SELECT * FROM t"))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("Cannot open dataset " + uri);
  }

  @Test
  void sqlTensorOptionForAnUnknownColumnIsRejected() {
    TableEnvironment env = sql();
    env.executeSql(
        "CREATE TABLE t (x ARRAY<FLOAT>) WITH ('connector' = 'mlobj', 'path' = '"
            + S3.newDatasetUri()
            + "', 'tensor.y.shape' = '2,2',\n"
            + MlobjSqlITCase.storageOptionsOf(S3)
            + ")");
    assertThatThrownBy(() -> env.explainSql("INSERT INTO t VALUES (ARRAY[CAST(1 AS FLOAT)])"))
        .rootCause()
        .hasMessageContaining("'tensor.y.shape'")
        .hasMessageContaining("the table has no column 'y'");
  }
}
