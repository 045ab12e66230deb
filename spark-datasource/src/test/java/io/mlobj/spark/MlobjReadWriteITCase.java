package io.mlobj.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.Dataset;
import io.mlobj.Lineage;
import io.mlobj.Snapshot;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.spark.types.SparkSchemas;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import scala.runtime.BoxedUnit;

class MlobjReadWriteITCase {
  @RegisterExtension static final SparkExtension SPARK = new SparkExtension();
  static final EmbeddedS3Extension S3 = SPARK.s3();

  private static org.apache.spark.sql.Dataset<Row> images(long n) {
    return SPARK
        .session()
        .range(0, n, 1, 2)
        .withColumn("label", expr("cast(id % 10 as int)"))
        .withColumn("name", concat(lit("img-"), col("id").cast("string")))
        .withColumn("jpeg", expr("cast(concat('JPEG', cast(id as string)) as binary)"))
        .withColumn(
            "pixels", expr("transform(sequence(0, 11), i -> cast((id + i) % 256 as short))"))
        .withColumn("split", expr("case when id % 5 = 0 then 'val' else 'train' end"));
  }

  private static Dataset open(String uri) {
    return Dataset.open(uri, S3.conf());
  }

  @ParameterizedTest(name = "format = {0}, parquetReader = {1}")
  // test-arrow-stream: a codec registered only on the test class path (kernel's test jar).
  @CsvSource({"parquet,spark", "parquet,mlobj", "arrow,mlobj", "test-arrow-stream,auto"})
  void rowsTensorsAndBinaryRoundTrip(String format, String reader) {
    String uri = S3.newDatasetUri();
    images(200)
        .write()
        .format("mlobj")
        .mode("append")
        .option("format", format)
        .option("tensor.pixels.shape", "3,2,2")
        .option("tensor.pixels.type", "uint8")
        .save(uri);

    Snapshot v1 = open(uri).latest();
    Field pixels = v1.schema().findField("pixels");
    assertThat(pixels.getType()).isInstanceOf(FixedShapeTensorType.class);
    FixedShapeTensorType tensor = FixedShapeTensorType.of(pixels);
    assertThat(tensor.shape()).containsExactly(3, 2, 2);
    assertThat(tensor.valueType()).isEqualTo(new ArrowType.Int(8, false));
    assertThat(v1.schema().findField("jpeg").getType()).isEqualTo(ArrowType.Binary.INSTANCE);

    org.apache.spark.sql.Dataset<Row> back =
        SPARK.session().read().format("mlobj").option("parquetReader", reader).load(uri);
    StructField field = back.schema().apply("pixels");
    assertThat(field.dataType()).isEqualTo(new ArrayType(DataTypes.ShortType, false));
    assertThat(field.metadata().getString(SparkSchemas.TENSOR_SHAPE)).isEqualTo("3,2,2");
    assertThat(back.except(images(200)).count()).isZero();
    assertThat(images(200).except(back).count()).isZero();

    // Written back without any option, the tensor column stays a uint8 tensor.
    String copy = S3.newDatasetUri();
    back.write().format("mlobj").mode("overwrite").save(copy);
    Field copied = open(copy).latest().schema().findField("pixels");
    assertThat(FixedShapeTensorType.of(copied).shape()).containsExactly(3, 2, 2);
    assertThat(FixedShapeTensorType.of(copied).valueType()).isEqualTo(new ArrowType.Int(8, false));
  }

  @Test
  void mlVectorsWithADeclaredShapeBecomeTensors() {
    String uri = S3.newDatasetUri();
    org.apache.spark.sql.Dataset<Row> features =
        new VectorAssembler()
            .setInputCols(new String[] {"a", "b", "c", "d"})
            .setOutputCol("features")
            .transform(
                SPARK
                    .session()
                    .range(10)
                    .withColumn("a", expr("cast(id as double)"))
                    .withColumn("b", expr("id * 2.0"))
                    .withColumn("c", lit(0.0))
                    .withColumn("d", expr("id * -1.5")))
            .select("id", "features");
    features
        .write()
        .format("mlobj")
        .mode("append")
        .option("tensor.features.shape", "2,2")
        .save(uri);

    Field field = open(uri).latest().schema().findField("features");
    assertThat(FixedShapeTensorType.of(field).shape()).containsExactly(2, 2);
    List<Row> rows = SPARK.session().read().format("mlobj").load(uri).orderBy("id").collectAsList();
    assertThat(rows.get(3).<Object>getList(1)).containsExactly(3.0, 6.0, 0.0, -4.5);

    assertThatThrownBy(
            () -> features.write().format("mlobj").mode("append").save(S3.newDatasetUri()))
        .hasMessageContaining("tensor.features.shape");
  }

  @Test
  void timeTravelByVersionTagAndTimestamp() throws Exception {
    String uri = S3.newDatasetUri();
    images(10).write().format("mlobj").mode("append").save(uri);
    long afterFirst = System.currentTimeMillis();
    Thread.sleep(20);
    images(30).write().format("mlobj").mode("append").save(uri);
    images(5).write().format("mlobj").mode("overwrite").save(uri);
    Dataset ds = open(uri);
    assertThat(ds.latestVersion()).isEqualTo(3);
    ds.tag("golden", 2, Map.of());

    assertThat(read(Map.of()).apply(uri)).isEqualTo(5);
    assertThat(read(Map.of("versionAsOf", "1")).apply(uri)).isEqualTo(10);
    assertThat(read(Map.of("tag", "golden")).apply(uri)).isEqualTo(40);
    assertThat(read(Map.of("timestampAsOf", String.valueOf(afterFirst))).apply(uri)).isEqualTo(10);
  }

  private static java.util.function.Function<String, Long> read(Map<String, String> options) {
    return uri -> SPARK.session().read().format("mlobj").options(options).load(uri).count();
  }

  @Test
  void clearErrorsForUnknownVersionTagSchemaMismatchAndBadOptions() {
    String uri = S3.newDatasetUri();
    images(10).write().format("mlobj").mode("append").save(uri);

    assertThatThrownBy(
            () -> SPARK.session().read().format("mlobj").option("versionAsOf", 7).load(uri))
        .hasMessageContaining("Cannot read version 7")
        .hasMessageContaining("versions are 1..1");
    assertThatThrownBy(() -> SPARK.session().read().format("mlobj").option("tag", "nope").load(uri))
        .hasMessageContaining("Cannot find tag 'nope'");
    assertThatThrownBy(
            () -> SPARK.session().read().format("mlobj").load(S3.newDatasetUri()).count())
        .hasMessageContaining("there is no mlobj dataset there");
    assertThatThrownBy(
            () ->
                SPARK
                    .session()
                    .range(3)
                    .withColumn("label", lit("not an int"))
                    .write()
                    .format("mlobj")
                    .mode("append")
                    .save(uri))
        .hasMessageContaining("Cannot write to dataset")
        .hasMessageContaining("label");
    assertThatThrownBy(
            () ->
                images(3).write().format("mlobj").mode("append").option("format", "csv").save(uri))
        .hasMessageContaining("Cannot use option 'format' = 'csv'");
    assertThatThrownBy(
            () ->
                SPARK.session().read().format("mlobj").option("batchRows", "-1").load(uri).count())
        .hasMessageContaining("Cannot use option 'batchrows' = '-1'");
    assertThatThrownBy(
            () ->
                SPARK
                    .session()
                    .read()
                    .format("mlobj")
                    .option("versionAsOff", "1")
                    .load(uri)
                    .count())
        .hasMessageContaining("Cannot use option 'versionasoff': it is not an option");
    assertThat(open(uri).latestVersion()).isEqualTo(1);
  }

  @Test
  void columnPruningAndShardSkippingShowInTheScanMetrics() {
    String uri = S3.newDatasetUri();
    // 4 write tasks x 2 partitions: 8 shards, each holding one split.
    images(400)
        .repartition(4)
        .write()
        .format("mlobj")
        .mode("append")
        .option("format", "arrow")
        .partitionBy("split")
        .save(uri);
    int shards = open(uri).latest().shards().size();
    assertThat(shards).isEqualTo(8);

    org.apache.spark.sql.Dataset<Row> val =
        SPARK
            .session()
            .read()
            .format("mlobj")
            .load(uri)
            .where("split = 'val'")
            .select("id", "label");
    assertThat(val.count()).isEqualTo(80);
    List<Row> rows = val.collectAsList();
    assertThat(rows).hasSize(80);
    Map<String, Long> metrics = scanMetrics(val.queryExecution().executedPlan());
    assertThat(metrics.get("shardsSkipped")).isEqualTo(4);
    assertThat(metrics.get("shardsRead")).isEqualTo(4);
    assertThat(metrics.get("bytesRead")).isPositive();
    assertThat(val.queryExecution().executedPlan().toString())
        .contains("columns=[id, label, split]")
        .doesNotContain("pixels");

    // Statistics skip shards too: ids 0..99 live in the shards of the first write task only.
    org.apache.spark.sql.Dataset<Row> low =
        SPARK.session().read().format("mlobj").load(uri).where("id >= 390").select("id");
    assertThat(low.collectAsList()).hasSize(10);
    Map<String, Long> lowMetrics = scanMetrics(low.queryExecution().executedPlan());
    assertThat(lowMetrics.get("shardsSkipped")).isGreaterThan(0);
    assertThat(lowMetrics.get("shardsRead") + lowMetrics.get("shardsSkipped")).isEqualTo(8);
  }

  @Test
  void explicitVerifyChecksumsMakesFlatParquetScansVerifyCrc32cWithTheKernelReader() {
    String uri = S3.newDatasetUri();
    SPARK
        .session()
        .range(0, 1000, 1, 1)
        .selectExpr("id", "cast(id * 3 as int) AS v")
        .write()
        .format("mlobj")
        .mode("append")
        .option("compression", "none")
        .save(uri);
    Dataset dataset = open(uri);
    io.mlobj.Shard shard = dataset.latest().shards().get(0);
    // One byte changed in the middle of the uncompressed values: still a readable Parquet file.
    byte[] bytes = dataset.readShardBytes(1, shard, false);
    bytes[bytes.length / 2] ^= 0x01;
    dataset.store().put(shard.path(), bytes, Map.of());

    org.apache.spark.sql.Dataset<Row> unchecked = SPARK.session().read().format("mlobj").load(uri);
    assertThat(unchecked.queryExecution().executedPlan().toString())
        .contains("parquetReader=spark");
    assertThat(unchecked.collectAsList()).hasSize(1000);

    org.apache.spark.sql.Dataset<Row> checked =
        SPARK.session().read().format("mlobj").option("verifyChecksums", "true").load(uri);
    assertThat(checked.queryExecution().executedPlan().toString()).contains("parquetReader=mlobj");
    assertThatThrownBy(checked::collectAsList).hasMessageContaining("CRC32C mismatch");

    assertThatThrownBy(
            () ->
                SPARK
                    .session()
                    .read()
                    .format("mlobj")
                    .option("parquetReader", "spark")
                    .option("verifyChecksums", "true")
                    .load(uri))
        .hasMessageContaining(
            "Cannot use option 'verifyChecksums' = 'true': expected false or unset with"
                + " parquetReader=spark");
  }

  @Test
  void dateAndTimestampFiltersSkipShardsByStatisticsAndDatePartitions() {
    String uri = S3.newDatasetUri();
    // Two write tasks, two shards: ids 0-99 (pday 2026-01-01) and 100-199 (pday 2026-01-02).
    SPARK
        .session()
        .range(0, 200, 1, 2)
        .selectExpr(
            "id",
            "date_add(date'2026-01-01', cast(id as int)) AS day",
            "timestamp_seconds(1767225600 + id * 3600) AS ts",
            "date_add(date'2026-01-01', cast(id div 100 as int)) AS pday")
        .write()
        .format("mlobj")
        .mode("append")
        .partitionBy("pday")
        .save(uri);
    assertThat(open(uri).latest().shards()).hasSize(2);

    String[][] cases = {
      {"day >= date'2026-04-11'", "100"},
      {"ts < timestamp'2026-01-02 00:00:00'", "24"},
      {"pday = date'2026-01-02'", "100"},
      {"day IN (date'2026-01-05', date'2026-01-06')", "2"}
    };
    for (String[] c : cases) {
      org.apache.spark.sql.Dataset<Row> df =
          SPARK.session().read().format("mlobj").load(uri).where(c[0]);
      assertThat(df.collectAsList()).as(c[0]).hasSize(Integer.parseInt(c[1]));
      Map<String, Long> metrics = scanMetrics(df.queryExecution().executedPlan());
      assertThat(metrics.get("shardsSkipped")).as(c[0]).isEqualTo(1);
      assertThat(metrics.get("shardsRead")).as(c[0]).isEqualTo(1);
    }
  }

  static Map<String, Long> scanMetrics(SparkPlan plan) {
    Map<String, Long> out = new HashMap<>();
    plan.foreach(
        node -> {
          if (node instanceof BatchScanExec scan) {
            scan.metrics()
                .foreach(
                    kv -> {
                      out.merge(kv._1(), kv._2().value(), Long::sum);
                      return BoxedUnit.UNIT;
                    });
          }
          return BoxedUnit.UNIT;
        });
    return out;
  }

  @Test
  void largeShardsSplitIntoSeveralInputPartitions() {
    String uri = S3.newDatasetUri();
    images(1000)
        .coalesce(1)
        .write()
        .format("mlobj")
        .mode("append")
        .option("rowGroupSize", "2048")
        .save(uri);
    assertThat(open(uri).latest().shards()).hasSize(1);
    org.apache.spark.sql.Dataset<Row> df =
        SPARK.session().read().format("mlobj").option("splitRows", "200").load(uri);
    assertThat(df.rdd().getNumPartitions()).isGreaterThan(1);
    assertThat(df.count()).isEqualTo(1000);
    assertThat(df.select("id").distinct().count()).isEqualTo(1000);
    assertThat(
            SPARK
                .session()
                .read()
                .format("mlobj")
                .option("splitRows", "200")
                .option("parquetReader", "mlobj")
                .load(uri)
                .select("id")
                .distinct()
                .count())
        .isEqualTo(1000);
  }

  @Test
  void writingADataFrameReadFromMlobjRecordsLineageAndSummary() {
    String source = S3.newDatasetUri();
    images(20).write().format("mlobj").mode("append").save(source);
    images(20).write().format("mlobj").mode("append").save(source);
    String target = S3.newDatasetUri();
    SPARK
        .session()
        .read()
        .format("mlobj")
        .option("versionAsOf", 1)
        .load(source)
        .where("label > 2")
        .write()
        .format("mlobj")
        .mode("append")
        .option("mlobj.meta.owner", "vision-team")
        .save(target);

    Map<String, String> summary = open(target).latest().summary().properties();
    assertThat(Lineage.split(summary.get(Lineage.SOURCES)))
        .containsExactly(Lineage.ref(open(source).uri(), 1));
    assertThat(summary.get(Lineage.JOB)).isEqualTo(SPARK.session().sparkContext().applicationId());
    assertThat(summary).containsEntry("owner", "vision-team");
    assertThat(open(target).latest().summary().engine()).startsWith("spark-4.");
  }

  @Test
  void overwriteReplacesOnlyThePartitionsInTheDataWhenDynamic() {
    String uri = S3.newDatasetUri();
    images(100).write().format("mlobj").mode("append").partitionBy("split").save(uri);
    SPARK.session().conf().set("spark.sql.sources.partitionOverwriteMode", "dynamic");
    try {
      images(10)
          .where("split = 'val'")
          .write()
          .format("mlobj")
          .mode("overwrite")
          .partitionBy("split")
          .save(uri);
    } finally {
      SPARK.session().conf().unset("spark.sql.sources.partitionOverwriteMode");
    }
    org.apache.spark.sql.Dataset<Row> df = SPARK.session().read().format("mlobj").load(uri);
    assertThat(df.where("split = 'train'").count()).isEqualTo(80);
    assertThat(df.where("split = 'val'").count()).isEqualTo(2);
    assertThat(open(uri).latest().partitionColumns()).containsExactly("split");
  }

  @Test
  void countNeedsNoShardReads() {
    String uri = S3.newDatasetUri();
    images(123).write().format("mlobj").mode("append").save(uri);
    org.apache.spark.sql.Dataset<Row> df = SPARK.session().read().format("mlobj").load(uri);
    org.apache.spark.sql.Dataset<Row> count = df.groupBy().count();
    assertThat(count.collectAsList().get(0).getLong(0)).isEqualTo(123);
    assertThat(scanMetrics(count.queryExecution().executedPlan()).get("shardsRead")).isZero();
  }
}
