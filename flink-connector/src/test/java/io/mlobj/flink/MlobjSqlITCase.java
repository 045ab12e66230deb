package io.mlobj.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.Dataset;
import io.mlobj.Snapshot;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.testcodec.ArrowStreamTestCodec;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Flink SQL DDL, INSERT and SELECT through the 'mlobj' connector, checked with the kernel. */
class MlobjSqlITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

  private static StreamTableEnvironment tableEnv;

  @BeforeAll
  static void setUp() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    tableEnv = StreamTableEnvironment.create(env);
  }

  /** The storage options for DDL, as {@code 'k' = 'v'} pairs. */
  static String storageOptions() {
    return storageOptionsOf(S3);
  }

  /** The storage options of an embedded S3 server for DDL. */
  static String storageOptionsOf(EmbeddedS3Extension s3) {
    return s3.conf().entrySet().stream()
        .map(e -> "'" + e.getKey() + "' = '" + e.getValue() + "'")
        .collect(Collectors.joining(",\n"));
  }

  private static List<Row> collect(String sql) throws Exception {
    List<Row> rows = new ArrayList<>();
    try (CloseableIterator<Row> it = tableEnv.executeSql(sql).collect()) {
      it.forEachRemaining(rows::add);
    }
    return rows;
  }

  @Test
  void insertedRowsWithATensorColumnRoundTripThroughSqlAndTheKernel() throws Exception {
    String uri = S3.newDatasetUri();
    tableEnv.executeSql(
        "CREATE TABLE samples (image ARRAY<FLOAT>, label INT, split STRING) WITH (\n"
            + "'connector' = 'mlobj',\n"
            + "'path' = '"
            + uri
            + "',\n"
            + "'tensor.image.shape' = '2,3',\n"
            + storageOptions()
            + ")");
    tableEnv
        .executeSql(
            "INSERT INTO samples VALUES"
                + " (ARRAY[CAST(0.5 AS FLOAT), 1, 2, 3, 4, 5], 1, 'train'),"
                + " (ARRAY[CAST(1.5 AS FLOAT), 1, 2, 3, 4, 5], 2, 'test')")
        .await();
    tableEnv
        .executeSql(
            "INSERT INTO samples VALUES (ARRAY[CAST(9 AS FLOAT), 9, 9, 9, 9, 9], 30, 'train')")
        .await();

    Snapshot latest = Dataset.open(uri, S3.conf()).latest();
    assertThat(latest.rows()).isEqualTo(3);
    assertThat(latest.shards()).hasSize(2);
    FixedShapeTensorType tensor =
        (FixedShapeTensorType) latest.schema().findField("image").getType();
    assertThat(tensor.shape()).containsExactly(2, 3);

    assertThat(collect("SELECT label, split, image FROM samples"))
        .extracting(Row::toString)
        .containsExactlyInAnyOrder(
            "+I[1, train, [0.5, 1.0, 2.0, 3.0, 4.0, 5.0]]",
            "+I[2, test, [1.5, 1.0, 2.0, 3.0, 4.0, 5.0]]",
            "+I[30, train, [9.0, 9.0, 9.0, 9.0, 9.0, 9.0]]");
    assertThat(collect("SELECT label FROM samples WHERE label >= 10 AND split = 'train'"))
        .extracting(Row::toString)
        .containsExactly("+I[30]");
    assertThat(tableEnv.explainSql("SELECT label FROM samples WHERE label >= 10"))
        .contains("filter=[")
        .contains("project=[label]");
  }

  @Test
  void aShardFormatOfACodecOnTheClassPathIsWrittenAndReadThroughSqlWithHadoopKeysPassed()
      throws Exception {
    String uri = S3.newDatasetUri();
    tableEnv.executeSql(
        "CREATE TABLE stream_shards (label INT, split STRING) WITH (\n"
            + "'connector' = 'mlobj',\n"
            + "'path' = '"
            + uri
            + "',\n"
            + "'write.format' = '"
            + ArrowStreamTestCodec.ID
            + "',\n"
            // Any fs.* key reaches the kernel, not only fs.s3a.* (for hdfs:// datasets).
            + "'fs.defaultFS' = 'file:///',\n"
            + storageOptions()
            + ")");
    tableEnv.executeSql("INSERT INTO stream_shards VALUES (1, 'train'), (2, 'test')").await();

    Snapshot latest = Dataset.open(uri, S3.conf()).latest();
    assertThat(latest.shards())
        .extracting(io.mlobj.Shard::format)
        .containsOnly(ArrowStreamTestCodec.FORMAT);
    assertThat(collect("SELECT label, split FROM stream_shards"))
        .extracting(Row::toString)
        .containsExactlyInAnyOrder("+I[1, train]", "+I[2, test]");
  }

  @Test
  void storageSettingsCanComeFromTheJobConfigurationInsteadOfTheDdl() throws Exception {
    String uri = S3.newDatasetUri();
    StringRows.append(
        Dataset.create(uri, S3.conf(), StringRows.SCHEMA, List.of(), Map.of()), List.of("hi"));
    StreamTableEnvironment env =
        StreamTableEnvironment.create(StreamExecutionEnvironment.getExecutionEnvironment());
    S3.conf().forEach((k, v) -> env.getConfig().getConfiguration().setString(k, v));
    env.executeSql(
        "CREATE TABLE from_job_conf (`value` STRING) WITH ('connector' = 'mlobj', 'path' = '"
            + uri
            + "')");
    List<Row> rows = new ArrayList<>();
    try (CloseableIterator<Row> it = env.executeSql("SELECT * FROM from_job_conf").collect()) {
      it.forEachRemaining(rows::add);
    }
    assertThat(rows).extracting(Row::toString).containsExactly("+I[hi]");
  }

  @Test
  void continuousTableStreamsVersionsCommittedWhileTheQueryRuns() throws Exception {
    String uri = S3.newDatasetUri();
    Dataset dataset = Dataset.create(uri, S3.conf(), StringRows.SCHEMA, List.of(), Map.of());
    StringRows.append(dataset, List.of("before"));
    tableEnv.executeSql(
        "CREATE TABLE live (`value` STRING) WITH ('connector' = 'mlobj', 'path' = '"
            + uri
            + "', 'continuous' = 'true', 'continuous.discovery-interval' = '100ms',\n"
            + storageOptions()
            + ")");
    try (CloseableIterator<Row> it = tableEnv.executeSql("SELECT * FROM live").collect()) {
      assertThat(it.next().toString()).isEqualTo("+I[before]");
      StringRows.append(dataset, List.of("after"));
      assertThat(it.next().toString()).isEqualTo("+I[after]");
    }
  }

  @Test
  void timeTravelOptionReadsAnOlderVersion() throws Exception {
    String uri = S3.newDatasetUri();
    Dataset dataset = Dataset.create(uri, S3.conf(), StringRows.SCHEMA, List.of(), Map.of());
    long v2 = StringRows.append(dataset, List.of("first")).version();
    StringRows.append(dataset, List.of("second"));
    tableEnv.executeSql(
        "CREATE TABLE old_values (`value` STRING) WITH ('connector' = 'mlobj', 'path' = '"
            + uri
            + "', 'version' = '"
            + v2
            + "',\n"
            + storageOptions()
            + ")");
    assertThat(collect("SELECT * FROM old_values"))
        .extracting(Row::toString)
        .containsExactly("+I[first]");
  }

  @Test
  void anInsertTheDatasetRefusesFailsTheJobWithTheReasonAndCommitsNothing() {
    String uri = S3.newDatasetUri();
    Schema schema =
        new Schema(
            List.of(
                Field.notNullable("id", new ArrowType.Int(64, true)),
                Field.nullable("label", new ArrowType.Int(32, true))));
    Dataset dataset = Dataset.create(uri, S3.conf(), schema, List.of(), Map.of());
    tableEnv.executeSql(
        "CREATE TABLE labels_only (label INT) WITH ('connector' = 'mlobj', 'path' = '"
            + uri
            + "',\n"
            + storageOptions()
            + ")");
    assertThatThrownBy(() -> tableEnv.executeSql("INSERT INTO labels_only VALUES (1)").await())
        .hasStackTraceContaining(
            "column 'id' is NOT NULL in the dataset but missing from the data");
    assertThat(dataset.latestVersion()).isEqualTo(1);
  }
}
