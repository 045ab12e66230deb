package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.internal.format.FormatCodec;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.internal.format.ManifestRecord;
import io.mlobj.internal.format.ManifestRef;
import io.mlobj.internal.format.VersionRecord;
import io.mlobj.internal.store.CountingObjectStore;
import io.mlobj.internal.store.LocalObjectStore;
import io.mlobj.ops.Progress;
import io.mlobj.ops.Vacuum;
import io.mlobj.ops.VacuumReport;
import io.mlobj.store.ObjectInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the committer keeps the manifest list short (docs/FORMAT.md §3), proven by counting store
 * calls and reading the manifests back, never by timing: merged manifests hold one partition, so a
 * filtered plan still reads only matching manifests; an append reads and writes a bounded number of
 * manifests however many the version references; every shard is written into few manifests over the
 * dataset's life; vacuum planning reads each manifest once.
 */
class ManifestMergingTest {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.notNullable("day", new ArrowType.Utf8())));
  private static final int DAYS = 6;

  @TempDir Path dir;
  private int next;

  private Dataset create() {
    return Dataset.create(dir.toUri().toString(), Map.of(), SCHEMA, List.of("day"), Map.of());
  }

  private CountingObjectStore counting() {
    return new CountingObjectStore(new LocalObjectStore(dir.toUri().toString(), dir));
  }

  private Dataset open(CountingObjectStore store) {
    return Dataset.at(store, MlobjConf.of(Map.of()));
  }

  private List<Shard> shards(int count, String... days) {
    List<Shard> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String day = days[i % days.length];
      out.add(
          new Shard(
              LogLayout.DATA + "day=" + day + "/s-" + next++ + ".parquet",
              ShardFormat.PARQUET,
              10,
              100,
              0,
              List.of(10L),
              Map.of(),
              Map.of("day", day),
              Map.of()));
    }
    return out;
  }

  private static String day(int d) {
    return "d" + d;
  }

  /** Commits that each span three days, then some of one day: the manifests mix partitions. */
  private Dataset mixedHistory(int commits) {
    Dataset dataset = create();
    for (int c = 0; c < commits; c++) {
      List<Shard> added =
          c % 3 == 0
              ? shards(3, day(c % DAYS), day((c + 1) % DAYS), day((c + 2) % DAYS))
              : shards(1 + c % 4, day(c % DAYS));
      dataset.newAppend().addShards(added).commit();
    }
    return dataset;
  }

  private List<ManifestRef> merged(Snapshot snapshot) {
    return snapshot.manifests().stream().filter(r -> r.path().contains("-merged-")).toList();
  }

  @Test
  void everyMergedManifestHoldsTheShardsOfASinglePartition() {
    Dataset dataset = mixedHistory(150);
    Snapshot latest = dataset.latest();
    List<ManifestRef> merged = merged(latest);
    assertThat(merged).as("150 small commits merge some manifests").isNotEmpty();
    for (ManifestRef ref : merged) {
      Set<Map<String, String>> partitions = new HashSet<>();
      dataset.log().manifest(ref).shards().forEach(s -> partitions.add(s.partition()));
      assertThat(partitions).as(ref.path()).hasSize(1);
      assertThat(ref.partitionValues())
          .as(ref.path())
          .isEqualTo(Map.of("day", List.of(partitions.iterator().next().get("day"))));
    }
    assertThat(latest.shards()).hasSize(next);
    assertThat(latest.shards()).extracting(Shard::path).doesNotHaveDuplicates();
  }

  @Test
  void aFilteredPlanReadsOnlyTheManifestsOfTheMatchingPartitionAfterMerges() {
    mixedHistory(150);
    CountingObjectStore store = counting();
    Snapshot latest = open(store).latest();
    long readsBefore = store.reads(LogLayout.MANIFESTS);
    List<ScanTask> tasks =
        latest.newScan().filter(Predicates.eq("day", day(2))).build().planTasks();
    long read = store.reads(LogLayout.MANIFESTS) - readsBefore;

    long mayMatch =
        latest.manifests().stream()
            .filter(
                r -> r.partitionValues() == null || r.partitionValues().get("day").contains("d2"))
            .count();
    assertThat(read).isEqualTo(mayMatch);
    assertThat(read).isLessThanOrEqualTo(latest.manifests().size() / 2);
    long expected =
        open(counting()).latest().shards().stream()
            .filter(s -> s.partition().get("day").equals("d2"))
            .count();
    assertThat(tasks).hasSize((int) expected);
  }

  @Test
  void eachAppendReadsAndWritesABoundedNumberOfManifestsAndEveryShardIsRewrittenFewTimes() {
    create();
    CountingObjectStore store = counting();
    Dataset dataset = open(store);
    int commits = 400;
    long mostRead = 0;
    long mostWritten = 0;
    for (int c = 0; c < commits; c++) {
      store.reset();
      dataset.newAppend().addShards(shards(1, day(c % 2))).commit();
      mostRead = Math.max(mostRead, store.reads(LogLayout.MANIFESTS));
      mostWritten = Math.max(mostWritten, store.writes(LogLayout.MANIFESTS));
    }
    // A merge reads the four manifests of one tier and may cascade up the tiers (log4 of 10,000).
    assertThat(mostRead).isLessThanOrEqualTo(4 * 7);
    assertThat(mostWritten).isLessThanOrEqualTo(2);
    Snapshot latest = open(counting()).latest();
    assertThat(latest.shards()).hasSize(commits);
    // 200 one-shard appends per day leave at most 3 manifests per tier and day.
    assertThat(latest.manifests()).hasSizeLessThanOrEqualTo(2 * 3 * 4 + 1);

    long written = 0;
    LocalObjectStore local = new LocalObjectStore(dir.toUri().toString(), dir);
    for (ObjectInfo o : local.list(LogLayout.MANIFESTS, null)) {
      written += FormatCodec.readManifest(local.read(o.key()), o.key()).shards().size();
    }
    // Each shard lands in its commit's manifest, then in about one merged manifest per tier.
    assertThat(written).isLessThanOrEqualTo(commits * 6L);
  }

  @Test
  void appendsBesideManyLargeManifestsMergeOnlyWhenATierFillsAndNeverReadTheLargeOnes() {
    Dataset dataset = create();
    dataset.newAppend().addShards(shards(1, day(0))).commit();
    VersionRecord v2 = dataset.latest().record();
    // A version referencing 100 large manifests, as a dataset of a million shards does: their
    // objects do not exist, so reading any of them would fail the append.
    List<ManifestRef> refs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      refs.add(
          new ManifestRef(
              LogLayout.MANIFESTS + "large-" + i + ".json",
              2,
              10_000,
              100_000,
              1_000_000,
              Map.of("day", List.of(day(i % DAYS)))));
    }
    refs.addAll(v2.manifests());
    dataset
        .store()
        .putIfAbsent(
            LogLayout.versionKey(3),
            FormatCodec.writeVersion(
                new VersionRecord(
                    v2.formatVersion(),
                    3,
                    2,
                    "hand-written",
                    v2.schema(),
                    v2.partitionColumns(),
                    v2.properties(),
                    refs,
                    null,
                    v2.summary())),
            Map.of());

    CountingObjectStore store = counting();
    Dataset reopened = open(store);
    int merging = 0;
    for (int c = 0; c < 20; c++) {
      long before = store.writes(LogLayout.MANIFESTS);
      reopened.newAppend().addShards(shards(1, day(0))).commit();
      merging += store.writes(LogLayout.MANIFESTS) - before > 1 ? 1 : 0;
    }
    // Four one-shard manifests of a day fill tier 0: about one append in four merges.
    assertThat(merging).isBetween(1, 6);
    assertThat(store.reads(LogLayout.MANIFESTS + "large-")).isZero();
    assertThat(reopened.latest().manifests()).hasSizeLessThanOrEqualTo(100 + 3 + 1);
  }

  @Test
  void aPartitionThatStopsReceivingShardsEndsWithOneSmallManifest() {
    Dataset dataset = create();
    for (int c = 0; c < 30; c++) {
      dataset.newAppend().addShards(shards(1, day(0))).commit();
    }
    long d0 = countOf(dataset.latest(), day(0));
    assertThat(d0).as("30 one-shard appends leave a manifest per filled tier").isGreaterThan(1);
    for (int c = 0; c < 70; c++) {
      dataset.newAppend().addShards(shards(1, day(1))).commit();
    }
    Snapshot latest = dataset.latest();
    assertThat(countOf(latest, day(0))).isEqualTo(1);
    assertThat(latest.shards()).hasSize(100);
  }

  private static long countOf(Snapshot snapshot, String day) {
    return snapshot.manifests().stream()
        .filter(r -> r.partitionValues() != null && r.partitionValues().get("day").contains(day))
        .count();
  }

  @Test
  void vacuumPlanningReadsEachManifestAndVersionOnce() {
    mixedHistory(120);
    CountingObjectStore store = counting();
    Dataset dataset = open(store);
    long versions = dataset.latestVersion();
    store.reset();
    VacuumReport report =
        Vacuum.builder(dataset).safetyWindow(Duration.ZERO).dryRun(true).build().run(Progress.NONE);
    // Every version is within the 7-day retention, so every manifest is referenced by one; merges
    // that split mixed manifests record no sources, so vacuum reads most of them, each once.
    long manifests = store.list(LogLayout.MANIFESTS, null).size();
    assertThat(store.reads(LogLayout.MANIFESTS)).isLessThanOrEqualTo(manifests);
    assertThat(store.reads(LogLayout.VERSIONS)).isLessThanOrEqualTo(versions + 2);
    assertThat(report.deleted()).isEmpty();
  }

  @Test
  void vacuumReadsOnlyTheLatestManifestsWhenEveryMergeKeptAllShardsOfItsSources() {
    Dataset dataset = create();
    for (int c = 0; c < 200; c++) {
      dataset.newAppend().addShards(shards(5, day(c / 40))).commit();
    }
    CountingObjectStore store = counting();
    Dataset counted = open(store);
    int latestManifests = counted.latest().manifests().size();
    long written = store.list(LogLayout.MANIFESTS, null).size();
    store.reset();
    VacuumReport report =
        Vacuum.builder(counted).safetyWindow(Duration.ZERO).dryRun(true).build().run(Progress.NONE);
    // Each older manifest was merged, whole, into one a later version references.
    assertThat(written).isGreaterThan(3L * latestManifests);
    assertThat(store.reads(LogLayout.MANIFESTS)).isEqualTo(latestManifests);
    assertThat(report.deleted()).isEmpty();
  }

  @Test
  void onlyTheVersionThatMergedManifestsRecordsThemAndOnlyWhenTheMergeKeptEveryShard() {
    Dataset dataset = mixedHistory(120);
    Set<String> sawWith = new HashSet<>();
    for (long v = 1; v <= dataset.latestVersion(); v++) {
      Snapshot snapshot = dataset.version(v);
      Set<String> previous = new HashSet<>();
      if (v > 1) {
        dataset.version(v - 1).manifests().forEach(r -> previous.add(r.path()));
      }
      for (ManifestRef ref : snapshot.manifests()) {
        if (ref.mergedFrom() == null) {
          continue;
        }
        assertThat(previous).doesNotContain(ref.path()).containsAll(ref.mergedFrom());
        assertThat(sawWith.add(ref.path())).isTrue();
        Set<String> merged = new HashSet<>();
        for (String source : ref.mergedFrom()) {
          merged.addAll(dataset.log().manifestPaths(refTo(dataset, v - 1, source)));
        }
        assertThat(new HashSet<>(dataset.log().manifestPaths(ref))).isEqualTo(merged);
      }
    }
    assertThat(sawWith).isNotEmpty();
  }

  private static ManifestRef refTo(Dataset dataset, long version, String path) {
    return dataset.version(version).manifests().stream()
        .filter(r -> r.path().equals(path))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void vacuumNeverDeletesAShardOrManifestOfARetainedVersionWhateverWasMergedOrRemoved() {
    Dataset dataset = create();
    List<Shard> all = new ArrayList<>();
    for (int c = 0; c < 90; c++) {
      List<Shard> added = shards(1 + c % 3, day(c % 2), day(c / 30 + 2));
      all.addAll(added);
      dataset.newAppend().addShards(added).commit();
      if (c == 40) {
        dataset.newDelete(Predicates.eq("day", day(0))).commit();
      }
      if (c == 50) {
        dataset.rollback(30);
      }
      if (c == 60) {
        dataset.tag("kept", 20, Map.of());
      }
    }
    for (Shard shard : all) {
      dataset.store().put(shard.path(), new byte[] {1}, Map.of());
    }
    long latest = dataset.latestVersion();
    VacuumReport report =
        Vacuum.builder(dataset)
            .retainVersions(25)
            .retainDuration(Duration.ZERO)
            .safetyWindow(Duration.ZERO)
            .dryRun(false)
            .build()
            .run(Progress.NONE);
    Set<String> deleted = new HashSet<>(report.deleted());
    Set<Long> retained = new HashSet<>(report.retainedVersions());
    assertThat(retained).contains(20L, latest, latest - 24).doesNotContain(latest - 25);
    Set<String> needed = new HashSet<>();
    for (long v : retained) {
      Dataset fresh = open(counting());
      for (ManifestRef ref : fresh.version(v).manifests()) {
        needed.add(ref.path());
        fresh.log().manifest(ref).shards().forEach(s -> needed.add(s.path()));
      }
    }
    assertThat(deleted).doesNotContainAnyElementsOf(needed);
    for (String path : needed) {
      assertThat(dataset.store().head(path)).as(path).isPresent();
    }
    // What no retained version references is gone: the vacuum did delete.
    assertThat(deleted).isNotEmpty();
    for (ObjectInfo o : dataset.store().list(LogLayout.DATA, null)) {
      assertThat(needed).contains(o.key());
    }
    for (ObjectInfo o : dataset.store().list(LogLayout.MANIFESTS, null)) {
      assertThat(needed).contains(o.key());
    }
  }

  @Test
  void vacuumReadsOnlyEachShardsOwnPathNotColumnsPartitionsOrPropertiesNamedPath() {
    Schema schema =
        new Schema(
            List.of(
                Field.notNullable("path", new ArrowType.Int(64, true)),
                Field.notNullable("day", new ArrowType.Utf8())));
    Dataset dataset =
        Dataset.create(dir.toUri().toString(), Map.of(), schema, List.of("day"), Map.of());
    List<Shard> added = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      added.add(
          new Shard(
              LogLayout.DATA + "day=d0/s-" + i + ".parquet",
              ShardFormat.PARQUET,
              10,
              100,
              0,
              List.of(10L),
              Map.of("path", new ColumnStats(1L, 2L, 0)),
              Map.of("day", "d0"),
              Map.of("path", "not-a-shard-" + i)));
    }
    dataset.newAppend().addShards(added).commit();
    ManifestRef ref = dataset.latest().manifests().get(0);
    List<String> paths = Dataset.at(counting(), MlobjConf.of(Map.of())).log().manifestPaths(ref);
    assertThat(paths).containsExactlyElementsOf(added.stream().map(Shard::path).toList());
  }

  @Test
  void manifestsAndVersionFilesAreCompactJsonThatReadsBackTheSame() {
    Dataset dataset = create();
    List<Shard> added = shards(3, day(0), day(1));
    dataset.newAppend().addShards(added).commit();
    Snapshot latest = dataset.latest();
    LocalObjectStore local = new LocalObjectStore(dir.toUri().toString(), dir);
    ManifestRef ref = latest.manifests().get(0);
    byte[] manifest = local.read(ref.path());
    byte[] version = local.read(LogLayout.versionKey(latest.version()));
    assertThat(new String(manifest, StandardCharsets.UTF_8)).doesNotContain("\n", ": ");
    assertThat(new String(version, StandardCharsets.UTF_8)).doesNotContain("\n", ": ");
    ManifestRecord back = FormatCodec.readManifest(manifest, ref.path());
    assertThat(back.shards()).isEqualTo(added);
  }
}
