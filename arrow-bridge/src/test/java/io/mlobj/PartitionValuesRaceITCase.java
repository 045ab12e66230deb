package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.arrow.BatchReader;
import io.mlobj.commit.CommitConflictException;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.testing.EmbeddedS3Extension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Partition overwrites racing appends on a dataset partitioned by values that contain {@code /},
 * {@code =}, {@code %}, non-ASCII text, the empty string and null: every conflict is detected, no
 * row is lost or duplicated, and version files of format 1 (raw partition strings) still count.
 */
class PartitionValuesRaceITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  /** Partition values that broke the format-1 {@code changed-partitions} strings. */
  static final List<String> VALUES =
      Collections.unmodifiableList(Arrays.asList("s3://a/b", "k=v", "100%", "日本/語", "", null));

  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.nullable("source", new ArrowType.Utf8())));

  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();

  static Stream<String> values() {
    return VALUES.stream();
  }

  @ParameterizedTest(name = "source = {0}")
  @MethodSource("values")
  void aPartitionOverwriteConflictsOnlyWithChangesToItsOwnPartition(String target) {
    Dataset dataset = create();
    List<Row> initial = new ArrayList<>();
    List<Row> others = new ArrayList<>();
    long id = 1000;
    for (String value : VALUES) {
      initial.add(new Row(id++, value));
      if (!Objects.equals(value, target)) {
        others.add(new Row(id++, value));
      }
    }
    append(dataset, initial); // one shard per partition
    Commit overwrite =
        dataset.newOverwrite(partition(target)).addShards(write(dataset, target, 0, 2));
    append(dataset, others); // every other partition changes meanwhile
    Snapshot won = overwrite.commit();

    List<Row> expected = new ArrayList<>(List.of(new Row(0, target), new Row(1, target)));
    initial.stream().filter(r -> !Objects.equals(r.source(), target)).forEach(expected::add);
    expected.addAll(others);
    assertThat(rows(won)).containsExactlyInAnyOrderElementsOf(expected);

    Commit late = dataset.newOverwrite(partition(target)).addShards(write(dataset, target, 10, 1));
    long sneaked = append(dataset, target, id, 1).version();
    assertThatThrownBy(late::commit)
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("version " + sneaked + " (append");
    expected.add(new Row(id, target));
    assertThat(rows(dataset.latest())).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void aPartitionOverwriteRacingAppendsToEveryPartitionDetectsEveryConflict() throws Exception {
    for (String target : VALUES) {
      Dataset dataset = create();
      List<Row> initial = new ArrayList<>();
      for (int p = 0; p < VALUES.size(); p++) {
        initial.add(new Row(1_000_000L * (p + 1), VALUES.get(p)));
      }
      append(dataset, initial);
      int appends = 2;
      List<Object[]> appended =
          Collections.synchronizedList(new ArrayList<>()); // version, id, value
      ExecutorService pool = Executors.newFixedThreadPool(VALUES.size());
      List<Future<?>> done = new ArrayList<>();
      for (int p = 0; p < VALUES.size(); p++) {
        final int partition = p;
        done.add(
            pool.submit(
                () -> {
                  Dataset mine = Dataset.open(dataset.uri(), S3.conf());
                  String value = VALUES.get(partition);
                  for (int a = 1; a <= appends; a++) {
                    long first = 1_000_000L * (partition + 1) + a;
                    long v = append(mine, value, first, 1).version();
                    appended.add(new Object[] {v, first, value});
                  }
                  return null;
                }));
      }
      long read = dataset.latestVersion();
      Commit overwrite =
          dataset
              .newOverwrite(partition(target))
              .readVersion(read)
              .addShards(write(dataset, target, 0, 2));
      RaceOutcome outcome = RaceOutcome.commitAgainst(overwrite, done, pool, 120);
      Snapshot won = outcome.won();
      CommitConflictException lost = outcome.lost();

      List<Row> expected = new ArrayList<>();
      if (won != null) {
        long w = won.version();
        for (Object[] a : appended) {
          boolean sameParition = Objects.equals(a[2], target);
          long v = (long) a[0];
          assertThat(sameParition && v > read && v < w)
              .as(
                  "append %s to %s at version %s slipped past the overwrite (read %s, won %s)",
                  a[1], target, v, read, w)
              .isFalse();
          if (!sameParition || v > w) {
            expected.add(new Row((long) a[1], (String) a[2]));
          }
        }
        initial.stream().filter(r -> !Objects.equals(r.source(), target)).forEach(expected::add);
        expected.add(new Row(0, target));
        expected.add(new Row(1, target));
      } else {
        long c = lost.conflictingVersion();
        assertThat(c).isGreaterThan(read);
        assertThat(appended)
            .as("the conflicting version %s is an append to %s", c, target)
            .anyMatch(a -> (long) a[0] == c && Objects.equals(a[2], target));
        expected.addAll(initial);
        appended.forEach(a -> expected.add(new Row((long) a[1], (String) a[2])));
      }
      assertThat(rows(Dataset.open(dataset.uri(), S3.conf()).latest()))
          .as("rows after overwriting %s", target)
          .containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void formatOneVersionFilesAreReadAndTheirRawPartitionStringsStillConflict() {
    Dataset dataset = create();
    append(dataset, "s3://a/b", 1, 1); // v2
    append(dataset, "s3://a/b", 2, 1); // v3: rewritten below as format 1
    append(dataset, "k=v", 3, 1); // v4: rewritten below as format 1
    toFormatOne(dataset, 3, "source=s3://a/b");
    toFormatOne(dataset, 4, "source=k=v");

    Dataset reopened = Dataset.open(dataset.uri(), S3.conf());
    assertThat(reopened.version(3).record().changedPartitions())
        .containsExactly(java.util.Collections.singletonMap("source", "s3://a/b"));
    assertThat(rows(reopened.latest()))
        .containsExactlyInAnyOrder(
            new Row(1, "s3://a/b"), new Row(2, "s3://a/b"), new Row(3, "k=v"));

    Commit readV3 =
        reopened
            .newOverwrite(partition("s3://a/b"))
            .readVersion(3)
            .addShards(write(reopened, "s3://a/b", 9, 1));
    assertThat(readV3.commit().version()).isEqualTo(5); // v4 changed only k=v
    Commit readV2 =
        reopened
            .newOverwrite(partition("s3://a/b"))
            .readVersion(2)
            .addShards(write(reopened, "s3://a/b", 8, 1));
    assertThatThrownBy(readV2::commit)
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("version 3 (append");
  }

  private void toFormatOne(Dataset dataset, long version, String legacy) {
    String key = LogLayout.versionKey(version);
    String json = new String(dataset.store().read(key), StandardCharsets.UTF_8);
    String old =
        json.replaceFirst("\"format-version\"\\s*:\\s*2", "\"format-version\" : 1")
            .replaceFirst(
                "\"changed-partitions\"\\s*:\\s*\\[[^\\]]*\\]",
                "\"changed-partitions\" : [ \"" + legacy + "\" ]");
    assertThat(old).contains("\"format-version\" : 1").contains(legacy);
    dataset.store().put(key, old.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  private static Predicate partition(String value) {
    return value == null ? Predicates.isNull("source") : Predicates.eq("source", value);
  }

  /** One row: its unique id and its partition value. */
  private record Row(long id, String source) {}

  private Dataset create() {
    return Dataset.create(S3.newDatasetUri(), S3.conf(), SCHEMA, List.of("source"), Map.of());
  }

  private Snapshot append(Dataset dataset, String value, long firstId, int rows) {
    return dataset.newAppend().addShards(write(dataset, value, firstId, rows)).commit();
  }

  /** Appends these rows in one version, one shard per partition. */
  private Snapshot append(Dataset dataset, List<Row> rows) {
    return dataset.newAppend().addShards(write(dataset, rows)).commit();
  }

  private List<Shard> write(Dataset dataset, String value, long firstId, int rows) {
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      out.add(new Row(firstId + i, value));
    }
    return write(dataset, out);
  }

  private List<Shard> write(Dataset dataset, List<Row> rows) {
    try (DatasetWriter out =
            dataset.newWriter(SCHEMA).format(ShardFormat.ARROW).build(arrow.allocator());
        VectorSchemaRoot batch = VectorSchemaRoot.create(SCHEMA, arrow.allocator())) {
      batch.allocateNew();
      for (int i = 0; i < rows.size(); i++) {
        ((BigIntVector) batch.getVector("id")).setSafe(i, rows.get(i).id());
        String value = rows.get(i).source();
        if (value != null) {
          ((VarCharVector) batch.getVector("source"))
              .setSafe(i, value.getBytes(StandardCharsets.UTF_8));
        }
      }
      batch.setRowCount(rows.size());
      out.write(batch);
      return out.complete();
    }
  }

  private List<Row> rows(Snapshot snapshot) {
    List<Row> out = new ArrayList<>();
    try (BatchReader reader = snapshot.newScan().build().open(arrow.allocator())) {
      while (reader.next()) {
        VectorSchemaRoot root = reader.root();
        BigIntVector ids = (BigIntVector) root.getVector("id");
        VarCharVector sources = (VarCharVector) root.getVector("source");
        for (int i = 0; i < root.getRowCount(); i++) {
          String source =
              sources.isNull(i) ? null : new String(sources.get(i), StandardCharsets.UTF_8);
          out.add(new Row(ids.get(i), source));
        }
      }
    }
    return out;
  }
}
