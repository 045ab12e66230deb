package io.mlobj.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.Shard;
import io.mlobj.flink.StringRows;
import io.mlobj.flink.source.MlobjSource;
import io.mlobj.flink.source.split.MlobjSplit;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Which shards become splits: whole snapshots, row-group ranges, and per-version additions. */
class SplitPlannerITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static SplitPlanner planner(Dataset dataset, long targetSplitRows) {
    return new SplitPlanner(
        MlobjSource.builder(new StringRows.Deserializer())
            .path(dataset.uri())
            .conf(S3.conf())
            .targetSplitRows(targetSplitRows)
            .build()
            .settings());
  }

  @Test
  void largeShardIsSplitAtRowGroupBoundariesCoveringEveryRowOnce() {
    Dataset dataset =
        Dataset.create(S3.newDatasetUri(), S3.conf(), StringRows.SCHEMA, List.of(), Map.of());
    dataset.newAppend().addShards(StringRows.writeInRowGroups(dataset, 2000)).commit();
    Shard shard = dataset.latest().shards().get(0);
    assertThat(shard.batchRows()).hasSizeGreaterThan(2);

    List<MlobjSplit> splits = planner(dataset, 500).planSnapshot(dataset.latest());

    assertThat(splits).hasSizeGreaterThan(1);
    assertThat(splits.stream().mapToLong(s -> s.task().rows()).sum()).isEqualTo(2000);
    assertThat(splits).extracting(MlobjSplit::splitId).doesNotHaveDuplicates();
  }

  @Test
  void onlyTheShardsAVersionAddedArePlannedForIt() {
    Dataset dataset =
        Dataset.create(S3.newDatasetUri(), S3.conf(), StringRows.SCHEMA, List.of(), Map.of());
    long v2 = StringRows.append(dataset, List.of("a")).version();
    long v3 = StringRows.append(dataset, List.of("b", "c")).version();
    var before = dataset.latest();
    long v4 =
        dataset
            .newReplace()
            .removeShards(before.shards())
            .addShards(StringRows.write(dataset, List.of("a", "b", "c")))
            .commit()
            .version();
    long v5 =
        dataset
            .newOverwrite()
            .addShards(StringRows.write(dataset, List.of("z")))
            .commit()
            .version();
    SplitPlanner planner = planner(dataset, Long.MAX_VALUE);

    assertThat(planner.planAdded(dataset, v2 - 1, v2)).hasSize(1);
    assertThat(planner.planAdded(dataset, v3 - 1, v3))
        .singleElement()
        .satisfies(s -> assertThat(s.task().shard().rows()).isEqualTo(2));
    assertThat(planner.planAdded(dataset, v4 - 1, v4)).as("compaction adds no new rows").isEmpty();
    assertThat(planner.planAdded(dataset, v5 - 1, v5))
        .singleElement()
        .satisfies(s -> assertThat(s.task().shard().rows()).isEqualTo(1));
  }
}
