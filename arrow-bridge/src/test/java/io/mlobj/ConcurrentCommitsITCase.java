package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.commit.CommitConflictException;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many committers on one dataset: threads and separate JVMs appending at the same time get
 * contiguous versions with every row exactly once, and an overwrite racing appends either fails
 * with a conflict naming both versions (nothing of it visible) or wins cleanly.
 */
class ConcurrentCommitsITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static final int WRITERS = 8;
  private static final int APPENDS = 20;
  private static final int ROWS = 3;

  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();

  /** The first id of a writer's append; ids of different appends never overlap. */
  static long firstId(int writer, int append, int rows) {
    return writer * 1_000_000L + (long) append * rows;
  }

  private static List<Long> expectedIds(int writers, int appends, int rows) {
    List<Long> ids = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      for (int a = 0; a < appends; a++) {
        long first = firstId(w, a, rows);
        LongStream.range(first, first + rows).forEach(ids::add);
      }
    }
    return ids;
  }

  @Test
  void eightThreadsAppendingTwentyTimesGiveContiguousVersionsAndEveryRowOnce() throws Exception {
    String uri = S3.newDatasetUri();
    SmallRows.create(uri, S3.conf());
    List<Long> versions = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        final int writer = w;
        done.add(
            pool.submit(
                () -> {
                  Dataset dataset = Dataset.open(uri, S3.conf());
                  try (BufferAllocator child =
                      arrow.allocator().newChildAllocator("writer-" + writer, 0, Long.MAX_VALUE)) {
                    for (int a = 0; a < APPENDS; a++) {
                      versions.add(
                          SmallRows.append(
                                  dataset,
                                  child,
                                  ShardFormat.ARROW,
                                  writer,
                                  firstId(writer, a, ROWS),
                                  ROWS)
                              .version());
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(new TreeSet<>(versions)).hasSize(WRITERS * APPENDS).first().isEqualTo(2L);
    assertEveryAppendLandedOnce(uri, WRITERS, APPENDS);
  }

  @Test
  void eightProcessesAppendingTwentyTimesGiveContiguousVersionsAndEveryRowOnce() throws Exception {
    String uri = S3.newDatasetUri();
    SmallRows.create(uri, S3.conf());
    List<ChildJvm> children = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      children.add(
          ChildJvm.start(
              AppendWorkerMain.class,
              List.of(uri, String.valueOf(w), String.valueOf(APPENDS), String.valueOf(ROWS)),
              S3.conf()));
    }
    Set<Long> versions = new TreeSet<>();
    for (ChildJvm child : children) {
      assertThat(child.await(120)).as(child.output()).isZero();
      String line =
          child
              .output()
              .lines()
              .filter(l -> l.startsWith("COMMITTED "))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no result from child:\n" + child.output()));
      for (String v : line.substring("COMMITTED ".length()).split(" ")) {
        assertThat(versions.add(Long.parseLong(v))).as("version %s reported twice", v).isTrue();
      }
    }

    assertThat(versions).hasSize(WRITERS * APPENDS);
    assertEveryAppendLandedOnce(uri, WRITERS, APPENDS);
  }

  private void assertEveryAppendLandedOnce(String uri, int writers, int appends) {
    Dataset dataset = Dataset.open(uri, S3.conf());
    long last = 1L + writers * appends;
    assertThat(dataset.latestVersion()).isEqualTo(last);
    assertThat(dataset.log().listVersions())
        .containsExactlyElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
    for (long v = 2; v <= last; v++) {
      Snapshot snapshot = dataset.version(v);
      assertThat(snapshot.parentVersion()).isEqualTo(v - 1);
      assertThat(snapshot.summary().operation()).isEqualTo(Operation.APPEND);
      assertThat(snapshot.summary().rowsAdded()).isEqualTo(ROWS);
      assertThat(snapshot.rows()).isEqualTo((v - 1) * ROWS);
    }
    List<Long> ids = SmallRows.ids(dataset.latest(), arrow.allocator());
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(ids).containsExactlyInAnyOrderElementsOf(expectedIds(writers, appends, ROWS));
  }

  @Test
  void anOverwriteBasedOnAnOlderVersionFailsNamingBothVersionsAndLeavesNothingVisible() {
    String uri = S3.newDatasetUri();
    Dataset dataset = SmallRows.create(uri, S3.conf());
    SmallRows.append(dataset, arrow.allocator(), ShardFormat.ARROW, 0, 0, ROWS); // v2
    List<Shard> replacement =
        SmallRows.write(dataset, arrow.allocator(), ShardFormat.ARROW, 9, 900, 5);
    Commit overwrite = dataset.newOverwrite().addShards(replacement); // reads v2
    SmallRows.append(dataset, arrow.allocator(), ShardFormat.ARROW, 1, 100, ROWS); // v3 sneaks in

    CommitConflictException conflict =
        org.junit.jupiter.api.Assertions.assertThrows(
            CommitConflictException.class, overwrite::commit);

    assertThat(conflict.kind()).isEqualTo(MlobjException.Kind.CONFLICT);
    assertThat(conflict.readVersion()).isEqualTo(2);
    assertThat(conflict.conflictingVersion()).isEqualTo(3);
    assertThat(conflict.getMessage())
        .startsWith("Cannot commit overwrite to dataset " + dataset.uri())
        .contains("version 3 (append")
        .contains("read at version 2");
    assertThat(dataset.latestVersion()).isEqualTo(3);
    assertThat(SmallRows.ids(dataset.latest(), arrow.allocator()))
        .containsExactlyInAnyOrder(0L, 1L, 2L, 100L, 101L, 102L);
  }

  @Test
  void anOverwriteRacingAppendsEitherFailsCleanlyOrWinsCleanly() throws Exception {
    for (int round = 0; round < 3; round++) {
      String uri = S3.newDatasetUri();
      Dataset dataset = SmallRows.create(uri, S3.conf());
      SmallRows.append(dataset, arrow.allocator(), ShardFormat.ARROW, 0, 0, ROWS);
      int appenders = 3;
      int appends = 6;
      List<long[]> appended = Collections.synchronizedList(new ArrayList<>()); // {version, id}
      ExecutorService pool = Executors.newFixedThreadPool(appenders);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 1; w <= appenders; w++) {
        final int writer = w;
        done.add(
            pool.submit(
                () -> {
                  Dataset mine = Dataset.open(uri, S3.conf());
                  try (BufferAllocator child =
                      arrow
                          .allocator()
                          .newChildAllocator("appender-" + writer, 0, Long.MAX_VALUE)) {
                    for (int a = 0; a < appends; a++) {
                      long first = firstId(writer, a, ROWS);
                      long v =
                          SmallRows.append(mine, child, ShardFormat.ARROW, writer, first, ROWS)
                              .version();
                      for (long id = first; id < first + ROWS; id++) {
                        appended.add(new long[] {v, id});
                      }
                    }
                  }
                  return null;
                }));
      }
      Thread.sleep(20L * round);
      List<Shard> replacement =
          SmallRows.write(dataset, arrow.allocator(), ShardFormat.ARROW, 99, 99_000_000L, 5);
      Commit overwrite = dataset.newOverwrite().addShards(replacement);
      RaceOutcome outcome = RaceOutcome.commitAgainst(overwrite, done, pool, 60);
      Snapshot won = outcome.won();
      CommitConflictException lost = outcome.lost();

      Dataset reread = Dataset.open(uri, S3.conf());
      List<Long> ids = SmallRows.ids(reread.latest(), arrow.allocator());
      assertThat(ids).doesNotHaveDuplicates();
      List<Long> overwriteIds = LongStream.range(99_000_000L, 99_000_005L).boxed().toList();
      if (won != null) {
        long v = won.version();
        assertThat(SmallRows.ids(reread.version(v), arrow.allocator()))
            .containsExactlyInAnyOrderElementsOf(overwriteIds);
        List<Long> expected = new ArrayList<>(overwriteIds);
        synchronized (appended) {
          appended.stream().filter(a -> a[0] > v).forEach(a -> expected.add(a[1]));
        }
        assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);
      } else {
        assertThat(lost.conflictingVersion()).isGreaterThan(lost.readVersion());
        assertThat(lost.getMessage())
            .contains("version " + lost.conflictingVersion() + " (append")
            .contains("read at version " + lost.readVersion());
        List<Long> expected = new ArrayList<>(List.of(0L, 1L, 2L));
        synchronized (appended) {
          appended.forEach(a -> expected.add(a[1]));
        }
        assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);
      }
      assertThat(reread.log().listVersions())
          .containsExactlyElementsOf(
              LongStream.rangeClosed(1, reread.latestVersion()).boxed().toList());
    }
  }
}
