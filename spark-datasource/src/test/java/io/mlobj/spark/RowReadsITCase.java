package io.mlobj.spark;

import static org.apache.spark.sql.functions.expr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.testing.EmbeddedS3Extension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.ColumnarToRowExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import scala.runtime.BoxedUnit;

/**
 * Row reads ({@code readAs=rows}, and the default for scans with tensor or other fixed-width array
 * columns) hand Spark arrays as {@code UnsafeArrayData}: they must return exactly the rows of the
 * columnar path, nulls included, and must really be the path taken.
 */
class RowReadsITCase {
  @RegisterExtension static final SparkExtension SPARK = new SparkExtension();
  static final EmbeddedS3Extension S3 = SPARK.s3();

  /**
   * Every kind of array the row path copies, with null rows and null elements, next to flat and
   * partition columns.
   */
  private static org.apache.spark.sql.Dataset<Row> data(long n) {
    return SPARK
        .session()
        .range(0, n, 1, 2)
        .withColumn("name", expr("case when id % 7 = 0 then null else concat('n', id) end"))
        .withColumn(
            "image", expr("transform(sequence(0, 11), i -> cast((id * 12 + i) / 7.0 as float))"))
        .withColumn("pixels", expr("transform(sequence(0, 5), i -> cast((id + i) % 256 as short))"))
        .withColumn(
            "ints",
            expr(
                "case when id % 5 = 0 then null else transform(sequence(0, cast(id % 4 as int)),"
                    + " i -> case when (id + i) % 3 = 0 then null else cast(id * i as int) end)"
                    + " end"))
        .withColumn(
            "doubles",
            expr("case when id % 6 = 1 then array() else array(id * 0.5, -id * 1.5, 1e300) end"))
        .withColumn(
            "flags",
            expr("array(id % 2 = 0, case when id % 3 = 0 then null else id % 3 = 1 end, true)"))
        .withColumn("days", expr("array(date_add(date'2026-01-01', cast(id as int)))"))
        .withColumn("split", expr("case when id % 3 = 0 then 'val' else 'train' end"));
  }

  private static String write(String format) {
    String uri = S3.newDatasetUri();
    data(300)
        .write()
        .format("mlobj")
        .mode("append")
        .option("format", format)
        .option("tensorShape.image", "3,2,2")
        .option("tensorShape.pixels", "6")
        .option("tensorElement.pixels", "uint8")
        .partitionBy("split")
        .save(uri);
    return uri;
  }

  private static org.apache.spark.sql.Dataset<Row> read(
      String uri, String readAs, String parquetReader) {
    return SPARK
        .session()
        .read()
        .format("mlobj")
        .option("readAs", readAs)
        .option("parquetReader", parquetReader)
        .load(uri);
  }

  @ParameterizedTest(name = "format = {0}, parquetReader = {1}")
  @CsvSource({"parquet,mlobj", "parquet,spark", "arrow,mlobj"})
  void rowReadsReturnTheSameRowsAsColumnarReadsIncludingNulls(String format, String reader) {
    String uri = write(format);
    org.apache.spark.sql.Dataset<Row> rows = read(uri, "rows", reader);
    org.apache.spark.sql.Dataset<Row> columnar = read(uri, "columnar", reader);
    assertThat(rowBased(rows)).isTrue();
    assertThat(rowBased(columnar)).isFalse();

    assertThat(rows.count()).isEqualTo(300);
    // Every non-null array read went through the bulk copy, whichever reader decoded the shard:
    // 300 images and the 240 rows whose ints are not null.
    org.apache.spark.sql.Dataset<Row> two = rows.select("image", "ints");
    assertThat(two.collectAsList()).hasSize(300);
    assertThat(
            MlobjReadWriteITCase.scanMetrics(two.queryExecution().executedPlan())
                .get("arraysCopiedInBulk"))
        .isEqualTo(540);
    assertThat(rows.exceptAll(columnar).count()).isZero();
    assertThat(columnar.exceptAll(rows).count()).isZero();
    // And both equal what was written.
    org.apache.spark.sql.Dataset<Row> written =
        data(300).selectExpr(rows.columns()).selectExpr(rows.columns());
    assertThat(rows.exceptAll(written).count()).isZero();
    assertThat(written.exceptAll(rows).count()).isZero();

    // Pruned and filtered: the nulls of the arrays survive, element by element.
    List<Row> prunedRows =
        rows.where("split = 'val'")
            .select("id", "ints", "flags", "split")
            .orderBy("id")
            .collectAsList();
    List<Row> prunedColumnar =
        columnar
            .where("split = 'val'")
            .select("id", "ints", "flags", "split")
            .orderBy("id")
            .collectAsList();
    assertThat(prunedRows).hasSize(100).isEqualTo(prunedColumnar);
    assertThat(prunedRows.get(0).getList(1)).isNull(); // id 0: a null row
    assertThat(prunedRows.get(1).getList(1)).containsNull(); // id 3: [null, 3, 6, null]

    // Arrays are compared and hashed by their bytes: grouping must see the same distinct values.
    for (String column : new String[] {"image", "pixels", "ints", "doubles", "flags", "days"}) {
      assertThat(rows.select(column).distinct().count())
          .as(column)
          .isEqualTo(columnar.select(column).distinct().count());
    }
    assertThat(rows.where("image[1] > 10.0 AND size(ints) > 2").count())
        .isEqualTo(columnar.where("image[1] > 10.0 AND size(ints) > 2").count());
  }

  @Test
  void tensorScansAreRowBasedByDefaultAndCopyEveryArrayInBulk() {
    String uri = write("parquet");
    org.apache.spark.sql.Dataset<Row> tensors =
        SPARK.session().read().format("mlobj").load(uri).select("id", "image");
    assertThat(tensors.collectAsList()).hasSize(300);

    SparkPlan plan = tensors.queryExecution().executedPlan();
    assertThat(rowBased(tensors)).isTrue();
    assertThat(plan.toString()).contains("output=rows");
    assertThat(plan.collectFirst(new ColumnarToRow()).isEmpty()).isTrue();
    Map<String, Long> metrics = MlobjReadWriteITCase.scanMetrics(plan);
    assertThat(metrics.get("arraysCopiedInBulk")).isEqualTo(300);

    // Flat columns stay columnar.
    org.apache.spark.sql.Dataset<Row> columnar =
        SPARK.session().read().format("mlobj").load(uri).select("id", "name");
    assertThat(columnar.collectAsList()).hasSize(300);
    assertThat(rowBased(columnar)).isFalse();
    assertThat(columnar.queryExecution().executedPlan().toString()).contains("output=columnar");
  }

  @Test
  void scansOfWideRowsUseSmallerBatchesUnlessBatchRowsIsSet() {
    String uri = write("arrow");
    // image: 12 floats (48 bytes) and id (8 bytes) per row: 4 MiB / 56 is above the default.
    assertThat(plan(SPARK.session().read().format("mlobj").load(uri).select("id", "image")))
        .contains("batchRows=8192");
    String wide = S3.newDatasetUri();
    SPARK
        .session()
        .range(0, 10, 1, 1)
        .selectExpr("id", "transform(sequence(0, 3071), i -> cast(i as float)) AS image")
        .write()
        .format("mlobj")
        .mode("append")
        .option("tensorShape.image", "3,32,32")
        .save(wide);
    org.apache.spark.sql.Dataset<Row> tensors = SPARK.session().read().format("mlobj").load(wide);
    // 3 * 32 * 32 floats + a long: 12296 bytes a row, 4 MiB / 12296 = 341 rows.
    assertThat(plan(tensors)).contains("batchRows=341");
    assertThat(tensors.collectAsList()).hasSize(10);
    assertThat(plan(tensors.select("id"))).contains("batchRows=8192");
    assertThat(plan(SPARK.session().read().format("mlobj").option("batchRows", "8192").load(wide)))
        .contains("batchRows=8192");
  }

  private static String plan(org.apache.spark.sql.Dataset<Row> df) {
    return df.queryExecution().executedPlan().toString();
  }

  @Test
  void anUnknownReadAsValueIsAnError() {
    String uri = write("arrow");
    assertThatThrownBy(
            () -> SPARK.session().read().format("mlobj").option("readAs", "batches").load(uri))
        .hasMessageContaining(
            "Cannot use option 'readAs' = 'batches': expected auto, rows or columnar.");
  }

  /** Whether the scan hands Spark rows (no columnar batches, no ColumnarToRow above it). */
  private static boolean rowBased(org.apache.spark.sql.Dataset<Row> df) {
    SparkPlan plan = df.queryExecution().executedPlan();
    List<Boolean> scans = new ArrayList<>();
    plan.foreach(
        node -> {
          if (node instanceof BatchScanExec scan) {
            scans.add(!scan.supportsColumnar());
          }
          return BoxedUnit.UNIT;
        });
    assertThat(scans).hasSize(1);
    return scans.get(0);
  }

  /** Matches Spark's ColumnarToRow node. */
  private static final class ColumnarToRow
      extends scala.runtime.AbstractPartialFunction<SparkPlan, SparkPlan> {
    @Override
    public boolean isDefinedAt(SparkPlan node) {
      return node instanceof ColumnarToRowExec;
    }

    @Override
    public SparkPlan apply(SparkPlan node) {
      return node;
    }
  }
}
