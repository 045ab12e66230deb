package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.internal.format.LogLayout;
import io.mlobj.internal.store.CountingObjectStore;
import io.mlobj.internal.store.LocalObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planning a partition-filtered scan reads only the manifests whose partition values may match, so
 * its cost follows the matching manifests, not the dataset. Proven by counting store reads on a
 * fresh handle (no cached manifests), not by timing.
 */
class ManifestPruningTest {
  private static final int DAYS = 12;
  private static final int SHARDS_PER_DAY = 25;
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.notNullable("day", new ArrowType.Utf8())));

  @TempDir static Path dir;
  private static String uri;

  @BeforeAll
  static void oneManifestPerDay() {
    uri = dir.toUri().toString();
    Dataset dataset = Dataset.create(uri, Map.of(), SCHEMA, List.of("day"), Map.of());
    for (int day = 0; day < DAYS; day++) {
      dataset.newAppend().addShards(shards("d" + day, SHARDS_PER_DAY)).commit();
    }
    // One more manifest of shards whose day is null: absent from the shard and the manifest list.
    dataset.newAppend().addShards(shards(null, SHARDS_PER_DAY)).commit();
  }

  private static final int MANIFESTS = DAYS + 1;

  private static List<Shard> shards(String day, int count) {
    List<Shard> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(
          new Shard(
              LogLayout.DATA + "day=" + day + "/part-" + i + ".parquet",
              ShardFormat.PARQUET,
              10,
              100,
              0,
              List.of(10L),
              Map.of(),
              day == null ? Map.of() : Map.of("day", day),
              Map.of()));
    }
    return out;
  }

  private static CountingObjectStore freshStore() {
    return new CountingObjectStore(new LocalObjectStore(uri, dir));
  }

  @Test
  void aFilteredPlanReadsOnlyTheManifestsThatHoldMatchingPartitions() {
    CountingObjectStore store = freshStore();
    List<ScanTask> tasks =
        Dataset.at(store, MlobjConf.of(Map.of()))
            .latest()
            .newScan()
            .filter(Predicates.eq("day", "d7"))
            .build()
            .planTasks();

    assertThat(tasks.stream().filter(t -> "d7".equals(t.shard().partition().get("day"))))
        .hasSize(SHARDS_PER_DAY);
    assertThat(tasks)
        .allSatisfy(t -> assertThat(t.shard().partition().get("day")).isIn("d7", null));
    // The d7 manifest, and the one of null days: it lists no day values, so it may hold any.
    assertThat(store.reads(LogLayout.MANIFESTS)).isEqualTo(2);
  }

  @Test
  void aFilterOnTwoPartitionValuesReadsTwoManifestsAndAFullPlanReadsThemAll() {
    CountingObjectStore twoDays = freshStore();
    List<ScanTask> two =
        Dataset.at(twoDays, MlobjConf.of(Map.of()))
            .latest()
            .newScan()
            .filter(Predicates.or(Predicates.eq("day", "d2"), Predicates.eq("day", "d9")))
            .build()
            .planTasks();
    CountingObjectStore all = freshStore();
    List<ScanTask> full =
        Dataset.at(all, MlobjConf.of(Map.of())).latest().newScan().build().planTasks();

    assertThat(two.stream().filter(t -> t.shard().partition().containsKey("day")))
        .hasSize(2 * SHARDS_PER_DAY);
    assertThat(twoDays.reads(LogLayout.MANIFESTS)).isEqualTo(3);
    assertThat(full).hasSize(MANIFESTS * SHARDS_PER_DAY);
    assertThat(all.reads(LogLayout.MANIFESTS)).isEqualTo(MANIFESTS);
  }

  @Test
  void aFilterOnADataColumnCannotPruneManifestsAndStillFindsEveryShard() {
    CountingObjectStore store = freshStore();
    Scan scan =
        Dataset.at(store, MlobjConf.of(Map.of()))
            .latest()
            .newScan()
            .filter(Predicates.gt("id", 5L))
            .build();

    assertThat(scan.planTasks()).hasSize(MANIFESTS * SHARDS_PER_DAY);
    assertThat(store.reads(LogLayout.MANIFESTS)).isEqualTo(MANIFESTS);
    assertThat(IntStream.range(0, DAYS).mapToObj(d -> "d" + d))
        .allSatisfy(
            day ->
                assertThat(scan.planTasks())
                    .anySatisfy(t -> assertThat(t.shard().partition().get("day")).isEqualTo(day)));
  }

  @Test
  void anIsNullFilterStillFindsTheShardsWhoseNullPartitionValueNoManifestLists() {
    List<ScanTask> tasks =
        Dataset.at(freshStore(), MlobjConf.of(Map.of()))
            .latest()
            .newScan()
            .filter(Predicates.isNull("day"))
            .build()
            .planTasks();

    assertThat(tasks).hasSize(SHARDS_PER_DAY);
    assertThat(tasks).allSatisfy(t -> assertThat(t.shard().partition()).doesNotContainKey("day"));
  }
}
