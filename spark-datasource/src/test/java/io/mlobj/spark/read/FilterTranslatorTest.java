package io.mlobj.spark.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.ColumnStats;
import io.mlobj.Predicate;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.sources.And;
import org.apache.spark.sql.sources.EqualTo;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.sources.GreaterThan;
import org.apache.spark.sql.sources.In;
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
}
