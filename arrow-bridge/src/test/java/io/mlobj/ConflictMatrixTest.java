package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.commit.CommitConflictException;
import io.mlobj.store.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The commit conflict matrix of docs/FORMAT.md §6.2, cell by cell: a commit prepared on version 3
 * of a dataset partitioned by {@code p} (shards a1, b1 in v2; a2, b2 in v3), another operation
 * committed meanwhile as version 4, then the prepared commit either rebases onto it (version 5) or
 * fails with a conflict naming version 4 (nothing visible). Runs against an in-memory store.
 */
class ConflictMatrixTest {
  /** The commit prepared on version 3. */
  enum Committing {
    APPEND,
    SET_PROPERTIES,
    OVERWRITE_ALL,
    OVERWRITE_PARTITION_A,
    DELETE_PARTITION_A,
    REPLACE_B1_B2,
    ROLLBACK_TO_2
  }

  /** The operation committed meanwhile, as version 4. */
  enum Meanwhile {
    APPEND_A,
    APPEND_B,
    OVERWRITE_ALL,
    OVERWRITE_A,
    OVERWRITE_B,
    DELETE_A,
    DELETE_B,
    REPLACE_A1_A2,
    ROLLBACK_TO_2,
    SET_PROPERTIES
  }

  /** R: rebases; C: conflicts. Columns in {@link Meanwhile} order; the table of FORMAT.md §6.2. */
  private static final Map<Committing, String> MATRIX =
      Map.of(
          Committing.APPEND, "R R R R R R R R R R",
          Committing.SET_PROPERTIES, "R R R R R R R R R R",
          Committing.OVERWRITE_ALL, "C C C C C C C C C R",
          Committing.OVERWRITE_PARTITION_A, "C R C C R C R C C R",
          Committing.DELETE_PARTITION_A, "C R C C R C R C C R",
          Committing.REPLACE_B1_B2, "R R C C C C C C C R",
          Committing.ROLLBACK_TO_2, "C C C C C C C C C R");

  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.nullable("p", new ArrowType.Utf8())));

  private static BufferAllocator allocator;

  @BeforeAll
  static void setUp() {
    allocator = new RootAllocator();
  }

  @AfterAll
  static void tearDown() {
    allocator.close();
  }

  static Stream<Arguments> cells() {
    List<Arguments> out = new ArrayList<>();
    for (Committing c : Committing.values()) {
      String[] row = MATRIX.get(c).split(" ");
      for (Meanwhile m : Meanwhile.values()) {
        out.add(Arguments.of(c, m, row[m.ordinal()].equals("R")));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "committing {0}, meanwhile {1}, rebases = {2}")
  @MethodSource("cells")
  void aCommitRebasesOrConflictsAsTheTableSays(
      Committing committing, Meanwhile meanwhile, boolean rebases) {
    Dataset ds =
        Dataset.at(
            new InMemoryObjectStore("mem://matrix/" + committing + "-" + meanwhile),
            MlobjConf.empty());
    new Commit(ds, Operation.CREATE, 0)
        .create()
        .schema(SCHEMA)
        .partitionColumns(List.of("p"))
        .commit();
    Map<String, Shard> s = new java.util.HashMap<>();
    for (String name : List.of("a1", "b1", "a2", "b2")) {
      s.put(name, write(ds, name));
    }
    ds.newAppend().addShards(List.of(s.get("a1"), s.get("b1"))).commit();
    ds.newAppend().addShards(List.of(s.get("a2"), s.get("b2"))).commit();

    Commit prepared = prepare(ds, committing, s);
    List<Shard> meanwhileAdded = commitMeanwhile(ds, meanwhile, s);
    assertThat(ds.latestVersion()).isEqualTo(4);

    if (rebases) {
      Snapshot v5 = prepared.commit();
      assertThat(v5.version()).isEqualTo(5);
      assertThat(v5.parentVersion()).isEqualTo(4);
      Set<String> paths = v5.shards().stream().map(Shard::path).collect(Collectors.toSet());
      for (Shard added : meanwhileAdded) {
        boolean removedByCommit =
            (committing == Committing.OVERWRITE_PARTITION_A
                    || committing == Committing.DELETE_PARTITION_A)
                && "a".equals(added.partition().get("p"));
        assertThat(paths.contains(added.path()))
            .as("shard %s added meanwhile survives the rebase", added.partition())
            .isEqualTo(!removedByCommit);
      }
    } else {
      assertThatThrownBy(prepared::commit)
          .isInstanceOf(CommitConflictException.class)
          .satisfies(e -> assertThat(((CommitConflictException) e).readVersion()).isEqualTo(3))
          .satisfies(
              e -> assertThat(((CommitConflictException) e).conflictingVersion()).isEqualTo(4));
      assertThat(ds.latestVersion()).isEqualTo(4);
    }
  }

  private Commit prepare(Dataset ds, Committing committing, Map<String, Shard> s) {
    Function<String, List<Shard>> shard = name -> List.of(write(ds, name));
    return switch (committing) {
      case APPEND -> ds.newAppend().addShards(shard.apply("a5"));
      case SET_PROPERTIES -> new Commit(ds, Operation.SET_PROPERTIES, 0).setProperty("k", "v");
      case OVERWRITE_ALL -> ds.newOverwrite().addShards(shard.apply("a5"));
      case OVERWRITE_PARTITION_A ->
          ds.newOverwrite(Predicates.eq("p", "a")).addShards(shard.apply("a5"));
      case DELETE_PARTITION_A -> ds.newDelete(Predicates.eq("p", "a"));
      case REPLACE_B1_B2 ->
          ds.newReplace()
              .removeShards(List.of(s.get("b1"), s.get("b2")))
              .addShards(shard.apply("b12"));
      case ROLLBACK_TO_2 -> new Commit(ds, Operation.ROLLBACK, 3).rollbackTo(2);
    };
  }

  /** Commits the meanwhile operation; returns the shards it added. */
  private List<Shard> commitMeanwhile(Dataset ds, Meanwhile meanwhile, Map<String, Shard> s) {
    List<Shard> added =
        switch (meanwhile) {
          case APPEND_A, OVERWRITE_A -> List.of(write(ds, "a3"));
          case APPEND_B, OVERWRITE_B -> List.of(write(ds, "b3"));
          case OVERWRITE_ALL -> List.of(write(ds, "a3"), write(ds, "b3"));
          case REPLACE_A1_A2 -> List.of(write(ds, "a12"));
          default -> List.of();
        };
    switch (meanwhile) {
      case APPEND_A, APPEND_B -> ds.newAppend().addShards(added).commit();
      case OVERWRITE_ALL -> ds.newOverwrite().addShards(added).commit();
      case OVERWRITE_A -> ds.newOverwrite(Predicates.eq("p", "a")).addShards(added).commit();
      case OVERWRITE_B -> ds.newOverwrite(Predicates.eq("p", "b")).addShards(added).commit();
      case DELETE_A -> ds.newDelete(Predicates.eq("p", "a")).commit();
      case DELETE_B -> ds.newDelete(Predicates.eq("p", "b")).commit();
      case REPLACE_A1_A2 ->
          ds.newReplace().removeShards(List.of(s.get("a1"), s.get("a2"))).addShards(added).commit();
      case ROLLBACK_TO_2 -> ds.rollback(2);
      case SET_PROPERTIES -> ds.setProperties(Map.of("owner", "ml"));
    }
    return added;
  }

  /** One row in partition {@code name.charAt(0)}. */
  private static Shard write(Dataset ds, String name) {
    try (DatasetWriter out = ds.newWriter(SCHEMA).format(ShardFormat.ARROW).build(allocator);
        VectorSchemaRoot batch = VectorSchemaRoot.create(SCHEMA, allocator)) {
      batch.allocateNew();
      ((BigIntVector) batch.getVector("id")).setSafe(0, name.hashCode());
      ((VarCharVector) batch.getVector("p"))
          .setSafe(0, name.substring(0, 1).getBytes(StandardCharsets.UTF_8));
      batch.setRowCount(1);
      out.write(batch);
      return out.complete().get(0);
    }
  }
}
