package io.mlobj.spark.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.ColumnStats;
import io.mlobj.Predicate;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.sources.And;
import org.apache.spark.sql.sources.EqualTo;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.sources.GreaterThan;
import org.apache.spark.sql.sources.In;
import org.apache.spark.sql.sources.LessThan;
import org.apache.spark.sql.sources.Not;
import org.apache.spark.sql.sources.Or;
import org.apache.spark.sql.sources.StringStartsWith;
import org.junit.jupiter.api.Test;

class FilterTranslatorTest {
  private static final Shard TRAIN_IDS_0_99 =
      new Shard(
          "data/00/a.parquet",
          ShardFormat.PARQUET,
          100,
          1000,
          0,
          List.of(100L),
          Map.of("id", new ColumnStats(0L, 99L, 0)),
          Map.of("split", "train"),
          Map.of());

  private static boolean mightMatch(Filter filter) {
    Predicate p = FilterTranslator.translate(filter).orElseThrow();
    return p.mightMatch(TRAIN_IDS_0_99);
  }

  @Test
  void skipsShardsByPartitionValuesAndStatistics() {
    assertThat(mightMatch(new EqualTo("split", "train"))).isTrue();
    assertThat(mightMatch(new EqualTo("split", "val"))).isFalse();
    assertThat(mightMatch(new GreaterThan("id", 99L))).isFalse();
    assertThat(mightMatch(new GreaterThan("id", 98))).isTrue();
    assertThat(mightMatch(new In("split", new Object[] {"val", "test"}))).isFalse();
    assertThat(mightMatch(new Or(new EqualTo("split", "val"), new GreaterThan("id", 50L))))
        .isTrue();
  }

  @Test
  void keepsTheUsablePartOfAnAndAndDropsWhatItCannotTranslate() {
    Filter and = new And(new StringStartsWith("name", "img"), new EqualTo("split", "val"));
    assertThat(mightMatch(and)).isFalse();
    assertThat(FilterTranslator.translate(new StringStartsWith("name", "img"))).isEmpty();
    assertThat(FilterTranslator.translate(new Not(new EqualTo("split", "val")))).isEmpty();
    assertThat(
            FilterTranslator.translate(
                new Or(new EqualTo("split", "val"), new StringStartsWith("name", "x"))))
        .isEmpty();
  }

  // 2026-01-01 .. 2026-01-31 as days; the same instants as micros (UTC) and millis.
  private static final long JAN_1 = java.time.LocalDate.parse("2026-01-01").toEpochDay();
  private static final long JAN_1_MICROS = JAN_1 * 86_400_000_000L;
  private static final Shard JANUARY =
      new Shard(
          "data/00/b.parquet",
          ShardFormat.PARQUET,
          100,
          1000,
          0,
          List.of(100L),
          Map.of(
              "day", new ColumnStats(JAN_1, JAN_1 + 30, 0),
              "ts", new ColumnStats(JAN_1_MICROS, JAN_1_MICROS + 30 * 86_400_000_000L, 0),
              "ntz", new ColumnStats(JAN_1_MICROS, JAN_1_MICROS + 30 * 86_400_000_000L, 0),
              "ms", new ColumnStats(JAN_1_MICROS / 1000, JAN_1_MICROS / 1000 + 1000, 0)),
          Map.of("pday", String.valueOf(JAN_1)),
          Map.of());

  private static final Schema TEMPORAL =
      new Schema(
          List.of(
              Field.nullable("day", new ArrowType.Date(DateUnit.DAY)),
              Field.nullable("pday", new ArrowType.Date(DateUnit.DAY)),
              Field.nullable("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
              Field.nullable("ntz", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
              Field.nullable("pntz", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
              Field.nullable("ms", new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC"))));

  private static java.util.Optional<Predicate> temporal(Filter filter) {
    return FilterTranslator.translate(filter, TEMPORAL, List.of("pday", "pntz"));
  }

  private static boolean mightMatchJanuary(Filter filter) {
    return temporal(filter).orElseThrow().mightMatch(JANUARY);
  }

  @Test
  void datesSkipShardsByStatisticsAndPartitionValues() {
    java.sql.Date jan15 = java.sql.Date.valueOf("2026-01-15");
    java.sql.Date feb1 = java.sql.Date.valueOf("2026-02-01");
    assertThat(mightMatchJanuary(new EqualTo("day", jan15))).isTrue();
    assertThat(mightMatchJanuary(new EqualTo("day", feb1))).isFalse();
    assertThat(mightMatchJanuary(new GreaterThan("day", java.time.LocalDate.parse("2026-01-31"))))
        .isFalse();
    assertThat(mightMatchJanuary(new EqualTo("pday", java.sql.Date.valueOf("2026-01-01"))))
        .isTrue();
    assertThat(mightMatchJanuary(new EqualTo("pday", jan15))).isFalse();
    // Without the schema, dates stay with Spark.
    assertThat(FilterTranslator.translate(new EqualTo("day", jan15))).isEmpty();
  }

  @Test
  void timestampsAreComparedInTheColumnsUnitAndOnlyWhenExact() {
    java.time.Instant feb1 = java.time.Instant.parse("2026-02-01T00:00:00Z");
    assertThat(mightMatchJanuary(new GreaterThan("ts", feb1))).isFalse();
    assertThat(mightMatchJanuary(new LessThan("ts", java.sql.Timestamp.from(feb1)))).isTrue();
    assertThat(
            mightMatchJanuary(
                new EqualTo("ntz", java.time.LocalDateTime.parse("2026-03-01T00:00:00"))))
        .isFalse();
    // Millisecond column: an exact millisecond translates, a fraction of one does not.
    assertThat(
            mightMatchJanuary(
                new GreaterThan("ms", java.time.Instant.ofEpochMilli(JAN_1_MICROS / 1000 + 1000))))
        .isFalse();
    assertThat(
            temporal(new GreaterThan("ms", java.time.Instant.ofEpochSecond(0, 1_500_000L + 1000))))
        .isEmpty();
    // Partition values of zone-less timestamps are text: not translated.
    assertThat(temporal(new EqualTo("pntz", java.time.LocalDateTime.parse("2026-01-01T00:00"))))
        .isEmpty();
  }
}
