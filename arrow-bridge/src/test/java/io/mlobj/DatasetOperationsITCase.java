package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.arrow.BatchReader;
import io.mlobj.commit.CommitConflictException;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.ops.Compactor;
import io.mlobj.ops.Progress;
import io.mlobj.ops.Vacuum;
import io.mlobj.ops.VacuumReport;
import io.mlobj.ops.Verifier;
import io.mlobj.ops.VerifyReport;
import io.mlobj.testing.EmbeddedS3Extension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DatasetOperationsITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.nullable("split", new ArrowType.Utf8()),
              Field.nullable("x", TestData.FLOAT32)));

  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();
  private Dataset dataset;

  @BeforeEach
  void setUp() {
    dataset =
        Dataset.create(
            S3.newDatasetUri(), S3.conf(), SCHEMA, List.of("split"), Map.of("owner", "ml"));
  }

  private List<Shard> write(Schema schema, String split, long from, int rows, long targetBytes) {
    try (DatasetWriter writer =
            dataset.newWriter(schema).targetShardBytes(targetBytes).build(arrow.allocator());
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, arrow.allocator())) {
      root.allocateNew();
      for (int i = 0; i < rows; i++) {
        ((BigIntVector) root.getVector("id")).setSafe(i, from + i);
        ((VarCharVector) root.getVector("split"))
            .setSafe(i, split.getBytes(StandardCharsets.UTF_8));
        ((Float4Vector) root.getVector("x")).setSafe(i, (from + i) / 2f);
        FieldVector extra = root.getVector("note");
        if (extra != null) {
          ((VarCharVector) extra).setSafe(i, ("n" + (from + i)).getBytes(StandardCharsets.UTF_8));
        }
      }
      root.setRowCount(rows);
      writer.write(root);
      return writer.complete();
    }
  }

  private Snapshot append(String split, long from, int rows) {
    return dataset.newAppend().addShards(write(SCHEMA, split, from, rows, 128 << 20)).commit();
  }

  private TreeSet<Long> ids(Snapshot snapshot) {
    return ids(snapshot.newScan().build());
  }

  private TreeSet<Long> ids(Scan scan) {
    TreeSet<Long> ids = new TreeSet<>();
    try (BatchReader reader = scan.open(arrow.allocator())) {
      while (reader.next()) {
        BigIntVector id = (BigIntVector) reader.root().getVector("id");
        for (int i = 0; i < reader.root().getRowCount(); i++) {
          ids.add(id.get(i));
        }
      }
    }
    return ids;
  }

  @Test
  void timeTravelByVersionTagAndTimestampSeesOldData() throws Exception {
    Snapshot v2 = append("train", 0, 10);
    Thread.sleep(20);
    long between = System.currentTimeMillis();
    Thread.sleep(20);
    append("train", 10, 5);
    dataset.tag("tested", 2, Map.of("by", "ci"));

    assertThat(ids(dataset.version(2))).hasSize(10);
    assertThat(ids(dataset.latest())).hasSize(15);
    assertThat(ids(dataset.tagged("tested"))).hasSize(10);
    assertThat(dataset.asOf(between).version()).isEqualTo(v2.version());
    assertThat(dataset.snapshot(TimeTravel.fromOptions(Map.of("versionAsOf", "1"))).rows())
        .isZero();
    assertThat(dataset.findTag("tested").orElseThrow().properties()).containsEntry("by", "ci");
    assertThatThrownBy(() -> dataset.tag("tested", 3, Map.of()))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("already points to version 2");
    assertThatThrownBy(() -> dataset.version(9))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("versions are 1..3");
  }

  @Test
  void partitionOverwriteAndDeleteTouchOnlyMatchingPartitions() {
    append("train", 0, 10);
    append("val", 100, 4);
    Snapshot overwritten =
        dataset
            .newOverwrite(Predicates.eq("split", "train"))
            .addShards(write(SCHEMA, "train", 1000, 3, 128 << 20))
            .commit();
    assertThat(ids(overwritten)).containsExactly(100L, 101L, 102L, 103L, 1000L, 1001L, 1002L);
    assertThat(overwritten.summary().rowsRemoved()).isEqualTo(10);

    Snapshot deleted = dataset.newDelete(Predicates.eq("split", "val")).commit();
    assertThat(ids(deleted)).containsExactly(1000L, 1001L, 1002L);
    assertThat(deleted.summary().operation()).isEqualTo(Operation.DELETE);
  }

  @Test
  void scanSkipsShardsByPartitionAndStatistics() {
    append("train", 0, 10);
    append("val", 100, 10);
    Scan byPartition = dataset.latest().newScan().filter(Predicates.eq("split", "val")).build();
    assertThat(ids(byPartition)).hasSize(10).allMatch(id -> id >= 100);
    assertThat(byPartition.metrics().shardsSkipped.get()).isEqualTo(1);

    Scan byStats = dataset.latest().newScan().filter(Predicates.gt("id", 50)).build();
    assertThat(byStats.planTasks()).hasSize(1);
  }

  @Test
  void overwriteLosesCleanlyToAConcurrentChangeItDidNotSee() {
    append("train", 0, 10);
    Commit overwrite = dataset.newOverwrite().addShards(write(SCHEMA, "train", 500, 2, 128 << 20));
    append("train", 10, 1); // lands first
    assertThatThrownBy(overwrite::commit)
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("version 3 (append");
    assertThat(ids(dataset.latest())).hasSize(11);
  }

  @Test
  void rollbackRestoresAnOldVersionAsANewOne() {
    append("train", 0, 10);
    dataset.newOverwrite().addShards(write(SCHEMA, "train", 500, 2, 128 << 20)).commit();
    Snapshot rolledBack = dataset.rollback(2);
    assertThat(rolledBack.version()).isEqualTo(4);
    assertThat(ids(rolledBack)).hasSize(10).first().isEqualTo(0L);
    assertThat(rolledBack.summary().properties()).containsEntry("rollback-to", "2");
  }

  @Test
  void addingANullableColumnEvolvesTheSchemaAndOldShardsReadNull() {
    append("train", 0, 3);
    Schema wider =
        new Schema(
            new ArrayList<>(SCHEMA.getFields()) {
              {
                add(Field.nullable("note", new ArrowType.Utf8()));
              }
            });
    Snapshot evolved =
        dataset
            .newAppend()
            .schema(wider)
            .addShards(write(wider, "train", 3, 2, 128 << 20))
            .commit();
    assertThat(evolved.schema().getFields()).extracting(Field::getName).endsWith("note");
    List<String> notes = new ArrayList<>();
    try (BatchReader reader =
        evolved.newScan().select("id", "note").build().open(arrow.allocator())) {
      while (reader.next()) {
        for (int i = 0; i < reader.root().getRowCount(); i++) {
          Object note = reader.root().getVector("note").getObject(i);
          notes.add(note == null ? null : note.toString());
        }
      }
    }
    assertThat(notes).containsExactlyInAnyOrder(null, null, null, "n3", "n4");
  }

  @Test
  void incompatibleSchemaIsRefusedAndNothingIsCommitted() {
    append("train", 0, 3);
    Schema wrong =
        new Schema(
            List.of(
                Field.notNullable("id", new ArrowType.Utf8()),
                Field.nullable("split", new ArrowType.Utf8()),
                Field.nullable("x", TestData.FLOAT32)));
    assertThatThrownBy(() -> dataset.newAppend().schema(wrong).commit())
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("column 'id' is Int(64, true) in the dataset but Utf8 in the data");
    assertThat(dataset.latestVersion()).isEqualTo(2);
  }

  @Test
  void idempotentCommitsAreAppliedOnce() {
    List<Shard> shards = write(SCHEMA, "train", 0, 4, 128 << 20);
    Snapshot first = dataset.newAppend().addShards(shards).idempotent("job-1", 7).commit();
    Snapshot replay = dataset.newAppend().addShards(shards).idempotent("job-1", 7).commit();
    assertThat(replay.version()).isEqualTo(first.version());
    assertThat(dataset.latest().rows()).isEqualTo(4);
    assertThat(dataset.latest().appTransactions()).containsEntry("job-1", 7L);
  }

  @Test
  void latestVersionIsFoundWithoutTheHint() {
    append("train", 0, 1);
    append("train", 1, 1);
    dataset.store().delete(LogLayout.LATEST_HINT);
    assertThat(Dataset.open(dataset.uri(), S3.conf()).latestVersion()).isEqualTo(3);
  }

  @Test
  void propertiesCarryForwardAndCanBeChanged() {
    append("train", 0, 1);
    Snapshot changed = dataset.setProperties(Map.of("license", "cc-by"));
    assertThat(changed.properties()).containsEntry("owner", "ml").containsEntry("license", "cc-by");
    assertThat(changed.rows()).isEqualTo(1);
  }

  @Test
  void verifyFindsACorruptedShardAndNamesIt() {
    append("train", 0, 50);
    Shard shard = dataset.latest().shards().get(0);
    byte[] bytes = dataset.store().read(shard.path());
    bytes[bytes.length / 2] ^= 0x5a;
    dataset.store().put(shard.path(), bytes, Map.of());

    VerifyReport report =
        Verifier.verify(Dataset.open(dataset.uri(), S3.conf()).latest(), 2, false, Progress.NONE);
    assertThat(report.ok()).isFalse();
    assertThat(report.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(VerifyReport.Kind.CHECKSUM_MISMATCH);
              assertThat(p.message())
                  .contains(shard.path())
                  .contains("version 2")
                  .contains("CRC32C mismatch");
            });
    assertThatThrownBy(() -> ids(dataset.latest()))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("CRC32C mismatch");
  }

  @Test
  void vacuumDeletesOnlyUnreferencedObjectsOutsideTheSafetyWindow() {
    append("train", 0, 5);
    dataset.newOverwrite().addShards(write(SCHEMA, "train", 10, 5, 128 << 20)).commit();
    List<Shard> orphan = write(SCHEMA, "train", 99, 1, 128 << 20); // uploaded, never committed

    VacuumReport young =
        Vacuum.builder(dataset).retainVersions(1).dryRun(false).build().run(Progress.NONE);
    assertThat(young.deleted()).isEmpty();
    assertThat(young.keptYoung()).isEqualTo(1); // the orphan; v2's shard is retained by age

    VacuumReport dry =
        Vacuum.builder(dataset)
            .retainVersions(1)
            .retainDuration(Duration.ZERO)
            .safetyWindow(Duration.ZERO)
            .build()
            .run(Progress.NONE);
    assertThat(dry.deleted()).contains(orphan.get(0).path());
    assertThat(dataset.store().head(orphan.get(0).path())).isPresent();

    VacuumReport real =
        Vacuum.builder(dataset)
            .retainVersions(1)
            .retainDuration(Duration.ZERO)
            .safetyWindow(Duration.ZERO)
            .dryRun(false)
            .build()
            .run(Progress.NONE);
    assertThat(real.deleted()).containsAll(dry.deleted());
    assertThat(dataset.store().head(orphan.get(0).path())).isEmpty();
    assertThat(ids(dataset.latest())).hasSize(5);
    assertThat(Verifier.verify(dataset.latest(), 2, true, Progress.NONE).ok()).isTrue();
  }

  @Test
  void compactionMergesSmallShardsWithoutChangingRows() {
    for (int i = 0; i < 6; i++) {
      append("train", i * 10L, 10);
    }
    append("val", 1000, 3);
    TreeSet<Long> before = ids(dataset.latest());
    Snapshot compacted =
        Compactor.builder(dataset)
            .targetShardBytes(1 << 20)
            .build()
            .run(Progress.NONE)
            .orElseThrow();
    assertThat(compacted.summary().operation()).isEqualTo(Operation.REPLACE);
    assertThat(compacted.shards()).hasSize(2); // one per partition
    assertThat(ids(compacted)).isEqualTo(before);
  }

  @Test
  void committingAWriterCarriesItsSchemaSoIncompatibleDataIsRefused() {
    Schema wrong =
        new Schema(
            List.of(
                Field.notNullable("id", new ArrowType.Utf8()),
                Field.nullable("split", new ArrowType.Utf8())));
    try (DatasetWriter writer = dataset.newWriter(wrong).build(arrow.allocator());
        VectorSchemaRoot root = VectorSchemaRoot.create(wrong, arrow.allocator())) {
      root.allocateNew();
      ((VarCharVector) root.getVector("id")).setSafe(0, "x".getBytes(StandardCharsets.UTF_8));
      root.setRowCount(1);
      writer.write(root);
      assertThatThrownBy(() -> dataset.newAppend().addShards(writer).commit())
          .isInstanceOf(MlobjException.class)
          .hasMessageContaining("column 'id' is Int(64, true) in the dataset but Utf8 in the data");
    }
    assertThat(dataset.latestVersion()).isEqualTo(1);
  }

  @Test
  void manyCommitsKeepTheManifestListShortByMergingSmallManifests() {
    List<Shard> one = write(SCHEMA, "train", 0, 1, 128 << 20);
    for (int i = 0; i < 70; i++) {
      // The same tiny shard description each time keeps this fast; only the log matters here.
      dataset.newAppend().addShards(one).commit();
    }
    Snapshot latest = dataset.latest();
    assertThat(latest.version()).isEqualTo(71);
    assertThat(latest.manifests()).hasSizeLessThanOrEqualTo(65);
    assertThat(latest.shards()).hasSize(70);
    assertThat(latest.rows()).isEqualTo(70);
    assertThat(latest.manifests().get(latest.manifests().size() - 1).addedVersion()).isEqualTo(71);
    assertThat(latest.manifests().subList(0, latest.manifests().size() - 1))
        .allMatch(ref -> ref.addedVersion() < 71);
  }

  @Test
  void aWriterAbortedFromAnInterruptedThreadStillDeletesItsShards() {
    DatasetWriter writer =
        dataset.newWriter(SCHEMA).targetShardBytes(1024).build(arrow.allocator());
    try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, arrow.allocator())) {
      root.allocateNew();
      for (int i = 0; i < 500; i++) {
        ((BigIntVector) root.getVector("id")).setSafe(i, i);
        ((VarCharVector) root.getVector("split"))
            .setSafe(i, "train".getBytes(StandardCharsets.UTF_8));
      }
      root.setRowCount(500);
      writer.write(root);
    }
    List<Shard> uploaded = writer.complete();
    assertThat(uploaded).isNotEmpty();
    Thread.currentThread().interrupt(); // as when Spark or Flink cancels the task
    try {
      writer.abort();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(uploaded).allMatch(s -> dataset.store().head(s.path()).isEmpty());
    writer.close();
  }
}
