package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.store.ObjectNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Dataset#changes}: the shards each version added and removed, and which hold new rows, for
 * every operation; and the outcome of idempotent commits with the cleanup of duplicate shards. On a
 * local directory dataset (the same commit path as S3, without a server).
 */
class ChangesTest {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.nullable("split", new ArrowType.Utf8())));

  @TempDir Path dir;
  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();

  @Test
  void eachOperationReportsTheShardsItAddedAndRemovedAndOnlyNewRowsAreNew() {
    Dataset ds =
        Dataset.create(dir.resolve("ds").toString(), Map.of(), SCHEMA, List.of("split"), Map.of());
    Shard train1 = write(ds, "train", 1);
    Shard test1 = write(ds, "test", 2);
    ds.newAppend().addShards(List.of(train1, test1)).commit(); // v2
    Shard train2 = write(ds, "train", 3);
    ds.newAppend().addShards(List.of(train2)).commit(); // v3
    Shard test2 = write(ds, "test", 4);
    ds.newOverwrite(Predicates.eq("split", "test")).addShards(List.of(test2)).commit(); // v4
    Shard trainBoth = write(ds, "train", 1);
    ds.newReplace().removeShards(List.of(train1, train2)).addShards(List.of(trainBoth)).commit();
    ds.newDelete(Predicates.eq("split", "test")).commit(); // v6
    ds.rollback(3); // v7
    ds.setProperties(Map.of("owner", "ml")); // v8

    List<Change> changes = ds.changes(0, 8).list();

    assertThat(changes)
        .extracting(Change::operation)
        .containsExactly(
            Operation.CREATE,
            Operation.APPEND,
            Operation.APPEND,
            Operation.OVERWRITE,
            Operation.REPLACE,
            Operation.DELETE,
            Operation.ROLLBACK,
            Operation.SET_PROPERTIES);
    assertThat(changes).extracting(Change::version).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    assertChange(changes.get(1), List.of(train1, test1), List.of(), true);
    assertChange(changes.get(2), List.of(train2), List.of(), true);
    assertChange(changes.get(3), List.of(test2), List.of(test1), true);
    assertChange(changes.get(4), List.of(trainBoth), List.of(train1, train2), false);
    assertChange(changes.get(5), List.of(), List.of(test2), false);
    assertChange(changes.get(6), List.of(train1, test1, train2), List.of(trainBoth), false);
    assertChange(changes.get(7), List.of(), List.of(), false);
  }

  @Test
  void aFilterKeepsOnlyShardsThatMayMatchAndASelectionNarrowsTheSchema() {
    Dataset ds =
        Dataset.create(dir.resolve("ds").toString(), Map.of(), SCHEMA, List.of("split"), Map.of());
    Shard train = write(ds, "train", 1);
    ds.newAppend().addShards(List.of(train, write(ds, "test", 2))).commit();

    Changes changes = ds.changes(1, 2).filter(Predicates.eq("split", "train")).select("id");

    assertThat(changes.list())
        .singleElement()
        .satisfies(c -> assertThat(c.newRows()).containsExactly(train));
    assertThat(changes.schema().getFields()).extracting(Field::getName).containsExactly("id");
    assertThatThrownBy(() -> ds.changes(1, 2).select("nope").list())
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> ds.changes(2, 1))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("0 <= from <= to");
  }

  @Test
  void aReplayedIdempotentCommitReportsAlreadyCommittedAndItsDuplicateShardsCanBeDeleted() {
    Dataset ds =
        Dataset.create(dir.resolve("ds").toString(), Map.of(), SCHEMA, List.of("split"), Map.of());
    CommitOutcome first =
        ds.newAppend()
            .addShards(List.of(write(ds, "train", 1)))
            .idempotent("query-1", 7)
            .commitWithOutcome();
    Shard duplicate = write(ds, "train", 1);
    CommitOutcome replay =
        ds.newAppend().addShards(List.of(duplicate)).idempotent("query-1", 7).commitWithOutcome();

    assertThat(first.status()).isEqualTo(CommitOutcome.Status.COMMITTED);
    assertThat(replay.alreadyCommitted()).isTrue();
    assertThat(replay.snapshot().version()).isEqualTo(first.snapshot().version()).isEqualTo(2);
    assertThat(ds.latestVersion()).isEqualTo(2);

    assertThat(ds.deleteUncommitted(List.of(duplicate))).isEqualTo(1);
    assertThatThrownBy(() -> ds.store().read(duplicate.path()))
        .isInstanceOf(ObjectNotFoundException.class);
    assertThat(ds.latest().rows()).isEqualTo(1);
  }

  private static void assertChange(
      Change change, List<Shard> added, List<Shard> removed, boolean newRows) {
    assertThat(change.added())
        .as("added by v%s", change.version())
        .containsExactlyInAnyOrderElementsOf(added);
    assertThat(change.removed())
        .as("removed by v%s", change.version())
        .containsExactlyInAnyOrderElementsOf(removed);
    assertThat(change.newRows())
        .as("new rows of v%s", change.version())
        .containsExactlyInAnyOrderElementsOf(newRows ? added : List.of());
  }

  private Shard write(Dataset ds, String split, long id) {
    try (DatasetWriter out = ds.newWriter(SCHEMA).build(arrow.allocator());
        VectorSchemaRoot batch = VectorSchemaRoot.create(SCHEMA, arrow.allocator())) {
      batch.allocateNew();
      ((BigIntVector) batch.getVector("id")).setSafe(0, id);
      ((VarCharVector) batch.getVector("split")).setSafe(0, split.getBytes(StandardCharsets.UTF_8));
      batch.setRowCount(1);
      out.write(batch);
      return out.complete().get(0);
    }
  }
}
