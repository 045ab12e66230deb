package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.commit.CommitFailedException;
import io.mlobj.ops.Vacuum;
import io.mlobj.testing.EmbeddedS3Extension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A commit whose shards a vacuum deleted while the write was in flight fails before its version
 * file is written (issue 13, case 4): automatically when the write began longer ago than the check
 * age, and for any commit when asked.
 */
class LongWriteCommitITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static final Schema SCHEMA =
      new Schema(List.of(Field.notNullable("id", new ArrowType.Int(64, true))));

  /** Creates a dataset, writes one shard without committing it, and lets a vacuum delete it. */
  private static List<Shard> vacuumedWrite(Dataset dataset) {
    List<Shard> shards;
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
      BigIntVector id = (BigIntVector) root.getVector("id");
      id.allocateNew(3);
      for (int i = 0; i < 3; i++) {
        id.set(i, i);
      }
      root.setRowCount(3);
      try (DatasetWriter writer = dataset.newWriter(SCHEMA).build(allocator)) {
        writer.write(root);
        shards = writer.complete();
      }
    }
    Vacuum.builder(dataset)
        .safetyWindow(Duration.ZERO)
        .dryRun(false)
        .build()
        .run(io.mlobj.ops.Progress.NONE);
    assertThat(dataset.store().head(shards.get(0).path())).isEmpty();
    return shards;
  }

  private static Dataset newDataset(Map<String, String> conf) {
    return Dataset.create(S3.newDatasetUri(), conf, SCHEMA, List.of(), Map.of());
  }

  @Test
  void commitOfAWriteOlderThanTheCheckAgeFailsWhenItsShardsWereVacuumed() {
    Dataset dataset = newDataset(S3.conf());
    List<Shard> shards = vacuumedWrite(dataset);
    long dayAgo = System.currentTimeMillis() - Duration.ofHours(25).toMillis();

    assertThatThrownBy(() -> dataset.newAppend().addShards(shards).writeStartedAt(dayAgo).commit())
        .isInstanceOf(CommitFailedException.class)
        .hasMessageContaining("Cannot commit to dataset " + dataset.uri())
        .hasMessageContaining(shards.get(0).path() + " (missing)")
        .hasMessageContaining(
            "the write began 25h ago, longer than mlobj.commit.check-shards-after")
        .hasMessageContaining("Nothing was committed");
    assertThat(dataset.latestVersion()).isEqualTo(1);
  }

  @Test
  void writerOlderThanATinyCheckAgeHasItsVacuumedShardsRefusedAtCommit() throws Exception {
    Map<String, String> conf = new java.util.HashMap<>(S3.conf());
    conf.put(MlobjConf.COMMIT_CHECK_SHARDS_AFTER, "1ms");
    Dataset dataset = newDataset(conf);
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
        DatasetWriter writer = dataset.newWriter(SCHEMA).build(allocator)) {
      ((BigIntVector) root.getVector("id")).allocateNew(1);
      ((BigIntVector) root.getVector("id")).set(0, 7);
      root.setRowCount(1);
      writer.write(root);
      List<Shard> shards = writer.complete();
      Vacuum.builder(dataset)
          .safetyWindow(Duration.ZERO)
          .dryRun(false)
          .build()
          .run(io.mlobj.ops.Progress.NONE);
      Thread.sleep(5); // older than the 1 ms check age, whatever the clock's resolution

      // The writer's own start time, not an explicit writeStartedAt, makes the commit check.
      assertThatThrownBy(() -> dataset.newAppend().addShards(writer).commit())
          .isInstanceOf(CommitFailedException.class)
          .hasMessageContaining(shards.get(0).path() + " (missing)")
          .hasMessageContaining("longer than mlobj.commit.check-shards-after=");
    }
    assertThat(dataset.latestVersion()).isEqualTo(1);
  }

  @Test
  void anyCommitChecksItsShardsWhenAskedBySettingOrBuilder() {
    Map<String, String> conf = new java.util.HashMap<>(S3.conf());
    conf.put(MlobjConf.COMMIT_CHECK_SHARDS, "true");
    Dataset bySetting = newDataset(conf);
    List<Shard> lost = vacuumedWrite(bySetting);
    assertThatThrownBy(() -> bySetting.newAppend().addShards(lost).commit())
        .isInstanceOf(CommitFailedException.class)
        .hasMessageContaining(lost.get(0).path() + " (missing)");

    Dataset byBuilder = newDataset(S3.conf());
    List<Shard> alsoLost = vacuumedWrite(byBuilder);
    assertThatThrownBy(() -> byBuilder.newAppend().addShards(alsoLost).checkShardsExist().commit())
        .isInstanceOf(CommitFailedException.class)
        .hasMessageContaining("deleted after they were written");
    assertThat(byBuilder.latestVersion()).isEqualTo(1);
  }

  @Test
  void checkedCommitWithItsShardsInPlaceCommits() {
    Map<String, String> conf = new java.util.HashMap<>(S3.conf());
    conf.put(MlobjConf.COMMIT_CHECK_SHARDS, "true");
    Dataset dataset = newDataset(conf);
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
      ((BigIntVector) root.getVector("id")).allocateNew(1);
      ((BigIntVector) root.getVector("id")).set(0, 7);
      root.setRowCount(1);
      DatasetWriter writer = dataset.newWriter(SCHEMA).build(allocator);
      writer.write(root);
      assertThat(dataset.newAppend().addShards(writer).commit().rows()).isEqualTo(1);
      writer.close();
    }
  }
}
