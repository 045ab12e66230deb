package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.ScanTask;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.feed.plan.SamplePlan;
import io.mlobj.feed.plan.ShuffleQuality;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SamplePlanTest {
  /** 10 shards of 5 blocks of 100 rows: 5000 samples, 50 blocks. */
  static List<ScanTask> blocks() {
    List<ScanTask> out = new ArrayList<>();
    for (int s = 0; s < 10; s++) {
      List<Long> batchRows = Collections.nCopies(5, 100L);
      Shard shard =
          new Shard(
              "data/" + s + ".arrow", ShardFormat.ARROW, 500, 1000, 0, batchRows, null, null, null);
      out.addAll(io.mlobj.Scan.split(shard, 1));
    }
    return out;
  }

  static final int N = 5000;

  static List<Long> samples(SamplePlan plan, long[][] positions) {
    List<Long> out = new ArrayList<>();
    for (long[] batch : positions) {
      for (long p : batch) {
        out.add((long) plan.sampleAt(p));
      }
    }
    return out;
  }

  @Test
  void theOrderIsAPermutationThatDependsOnSeedAndEpochOnly() {
    SamplePlan a = SamplePlan.of(blocks(), 1, 0, true, 300);
    assertThat(a.order()).hasSize(N);
    assertThat(new HashSet<>(List.of(box(a.order())))).hasSize(N);
    assertThat(SamplePlan.of(blocks(), 1, 0, true, 300).order()).isEqualTo(a.order());
    assertThat(SamplePlan.of(blocks(), 1, 1, true, 300).order()).isNotEqualTo(a.order());
    assertThat(SamplePlan.of(blocks(), 2, 0, true, 300).order()).isNotEqualTo(a.order());
    int[] natural = SamplePlan.of(blocks(), 1, 0, false, 300).order();
    for (int i = 0; i < N; i++) {
      assertThat(natural[i]).isEqualTo(i);
    }
  }

  @ParameterizedTest(name = "world_size = {0}, workers = {1}, batch = {2}, drop_last = {3}")
  @CsvSource({
    "1,1,64,false",
    "2,1,50,false",
    "3,2,7,false",
    "8,4,13,false",
    "5,3,100,true",
    "7,1,33,true"
  })
  void ranksGetEqualPartsWhateverTheWorkersAndTogetherCoverEverySample(
      int worldSize, int workers, int batch, boolean dropLast) {
    SamplePlan plan = SamplePlan.of(blocks(), 9, 3, true, 500);
    List<Long> union = new ArrayList<>();
    Set<Integer> rankSizes = new HashSet<>();
    long perRank = plan.rankBatches(0, batch, worldSize, dropLast);
    for (int r = 0; r < worldSize; r++) {
      int rankSize = 0;
      Set<Integer> workerBatches = new HashSet<>();
      for (int w = 0; w < workers; w++) {
        long[][] batches = plan.assignment(0, batch, worldSize, r, workers, w, dropLast);
        workerBatches.add(batches.length);
        List<Long> part = samples(plan, batches);
        rankSize += part.size();
        union.addAll(part);
      }
      // Workers split the rank's batches round robin: their counts differ by at most one.
      assertThat(
              workerBatches.stream().mapToInt(i -> i).max().getAsInt()
                  - workerBatches.stream().mapToInt(i -> i).min().getAsInt())
          .isLessThanOrEqualTo(1);
      assertThat(rankSize).isEqualTo(perRank * batch);
      rankSizes.add(rankSize);
    }
    assertThat(rankSizes).hasSize(1);
    assertThat(plan.rankBatches(0, batch, worldSize, dropLast))
        .as("batches per rank do not depend on the workers")
        .isEqualTo(plan.assignment(0, batch, worldSize, 0, 1, 0, dropLast).length);
    if (dropLast) {
      assertThat(union).doesNotHaveDuplicates();
      assertThat(N - union.size()).isLessThan(worldSize * batch);
    } else {
      // Padding repeats samples from the start of the epoch, fewer than one batch per rank.
      assertThat(new HashSet<>(union)).hasSize(N);
      assertThat(union.size() - N).isLessThan(worldSize * batch);
    }
  }

  @Test
  void paddingWrapsToTheStartOfTheEpochOrder() {
    SamplePlan plan = SamplePlan.of(blocks(), 1, 0, true, 100);
    // 5000 samples, batch 7: 715 global batches, rounded up to 717 for 3 ranks.
    long[][] last = plan.assignment(0, 7, 3, 2, 1, 0, false);
    assertThat(last).hasNumberOfRows(239);
    assertThat(last[238]).containsExactly(12, 13, 14, 15, 16, 17, 18);
  }

  @ParameterizedTest(name = "from world_size {0} to {1}")
  @CsvSource({"2,3", "4,2", "3,5", "1,4"})
  void resumingOnAnotherWorldSizeNeitherRepeatsNorSkips(int before, int after) {
    int batch = 10;
    SamplePlan plan = SamplePlan.of(blocks(), 5, 2, true, 256);
    int steps = 7;
    List<Long> consumed = new ArrayList<>();
    for (int r = 0; r < before; r++) {
      long[][] part = plan.assignment(0, batch, before, r, 1, 0, true);
      consumed.addAll(samples(plan, java.util.Arrays.copyOf(part, steps)));
    }
    long position = SamplePlan.positionAfter(0, steps, batch, before);
    List<Long> resumed = new ArrayList<>();
    for (int r = 0; r < after; r++) {
      resumed.addAll(samples(plan, plan.assignment(position, batch, after, r, 1, 0, true)));
    }
    List<Long> all = new ArrayList<>(consumed);
    all.addAll(resumed);
    assertThat(all).doesNotHaveDuplicates();
    // The consumed part is exactly the prefix of the global order...
    Set<Long> prefix = new HashSet<>();
    for (int i = 0; i < position; i++) {
      prefix.add((long) plan.sampleAt(i));
    }
    assertThat(new HashSet<>(consumed)).isEqualTo(prefix);
    // ...and nothing is skipped but the tail drop_last cuts (less than one batch per rank).
    assertThat(N - all.size()).isLessThan(after * batch);
  }

  @Test
  void theShuffleWindowTradesMemoryForMixing() {
    double previous = 1.1;
    StringBuilder report = new StringBuilder("window  spearman  same-block  tail-chi2\n");
    for (int window : new int[] {1, 250, 1000, N}) {
      SamplePlan plan = SamplePlan.of(blocks(), 11, 0, true, window);
      double adjacency = ShuffleQuality.sameBlockAdjacency(plan);
      report.append(
          String.format(
              "%6d  %8.3f  %10.3f  %9.2f%n",
              window,
              ShuffleQuality.spearman(plan.order()),
              adjacency,
              ShuffleQuality.tailChiSquare(plan.order(), 0.1, 10)));
      assertThat(adjacency).isLessThan(previous);
      previous = adjacency;
    }
    System.out.print(report);
    SamplePlan full = SamplePlan.of(blocks(), 11, 0, true, N);
    assertThat(ShuffleQuality.sameBlockAdjacency(full)).isLessThan(0.05); // ~1/50
    assertThat(Math.abs(ShuffleQuality.spearman(full.order()))).isLessThan(0.1);
    assertThat(ShuffleQuality.tailChiSquare(full.order(), 0.1, 10)).isLessThan(5);
    assertThat(ShuffleQuality.spearman(SamplePlan.of(blocks(), 11, 0, false, N).order()))
        .isEqualTo(1.0);
  }

  /**
   * Blocks of uneven sizes, some empty, and a shard whose blocks are not consecutive: what the
   * grouping by shard and the window boundaries must handle.
   */
  static List<ScanTask> unevenBlocks() {
    List<ScanTask> out = new ArrayList<>();
    long firstRow = 0;
    for (int s = 0; s < 40; s++) {
      List<Long> batchRows = new ArrayList<>();
      for (int b = 0; b < 1 + s % 4; b++) {
        batchRows.add((long) ((s * 7 + b * 13) % 29));
      }
      long rows = batchRows.stream().mapToLong(Long::longValue).sum();
      Shard shard =
          new Shard(
              "data/" + (s % 37) + ".parquet",
              ShardFormat.PARQUET,
              rows,
              1000,
              s,
              batchRows,
              Map.of("x", new io.mlobj.ColumnStats(0L, 1L, 0)),
              Map.of("day", "d" + s % 3),
              Map.of("p", "v"));
      for (int b = 0; b < batchRows.size(); b++) {
        out.add(new ScanTask(shard, b, 1, batchRows.get(b), firstRow));
        firstRow += batchRows.get(b);
      }
    }
    return out;
  }

  /** The documented order as it was first written: an int per sample, shuffled in place. */
  static int[] referenceOrder(List<ScanTask> blocks, long seed, long epoch, int window) {
    long[] start = new long[blocks.size() + 1];
    for (int i = 0; i < blocks.size(); i++) {
      start[i + 1] = start[i] + blocks.get(i).rows();
    }
    int n = (int) start[blocks.size()];
    int[] order = new int[n];
    Map<String, List<Integer>> byShard = new LinkedHashMap<>();
    for (int i = 0; i < blocks.size(); i++) {
      byShard.computeIfAbsent(blocks.get(i).shard().path(), k -> new ArrayList<>()).add(i);
    }
    List<List<Integer>> shards = new ArrayList<>(byShard.values());
    SplittableRandom shardRng = new SplittableRandom(SamplePlan.mix(seed, epoch, 0x5A4D));
    listShuffle(shards, shardRng);
    int k = 0;
    for (List<Integer> shard : shards) {
      List<Integer> shardBlocks = new ArrayList<>(shard);
      listShuffle(shardBlocks, shardRng);
      for (int b : shardBlocks) {
        for (long s = start[b]; s < start[b + 1]; s++) {
          order[k++] = (int) s;
        }
      }
    }
    int w = Math.max(1, window);
    for (int from = 0, win = 0; from < n; from += w, win++) {
      int to = Math.min(n, from + w);
      SplittableRandom rng = new SplittableRandom(SamplePlan.mix(seed, epoch, 0x10000L + win));
      for (int i = to - 1; i > from; i--) {
        int j = from + rng.nextInt(i - from + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  private static <T> void listShuffle(List<T> list, SplittableRandom rng) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  @ParameterizedTest(name = "seed {0}, epoch {1}, window {2}")
  @CsvSource({"1,0,300", "7,3,1", "9,1,64", "5,2,10000", "11,0,97"})
  void theSameSeedGivesTheOrderItAlwaysGaveThoughNoIntPerSampleIsHeld(
      long seed, long epoch, int window) {
    for (List<ScanTask> blocks : List.of(blocks(), unevenBlocks())) {
      int[] expected = referenceOrder(blocks, seed, epoch, window);
      SamplePlan plan = SamplePlan.of(blocks, seed, epoch, true, window);
      assertThat(plan.order()).isEqualTo(expected);
      // Read out of order, as ranks and workers do, position by position.
      SamplePlan fresh = SamplePlan.of(blocks, seed, epoch, true, window);
      for (int p = expected.length - 1; p >= 0; p -= 3) {
        assertThat(fresh.sampleAt(p)).isEqualTo(expected[p]);
      }
      for (int p = 0; p < expected.length; p += 2) {
        assertThat(fresh.sampleAt(p)).isEqualTo(expected[p]);
      }
    }
  }

  @Test
  void theCompactBlocksKeepWhatReadingNeedsAndDropStatistics() {
    List<ScanTask> blocks = unevenBlocks();
    SamplePlan plan = SamplePlan.of(blocks, 1, 0, true, 50);
    assertThat(plan.blocks()).hasSameSizeAs(blocks);
    for (int i = 0; i < blocks.size(); i++) {
      ScanTask original = blocks.get(i);
      ScanTask kept = plan.blocks().get(i);
      assertThat(kept.firstBatch()).isEqualTo(original.firstBatch());
      assertThat(kept.batchCount()).isEqualTo(original.batchCount());
      assertThat(kept.rows()).isEqualTo(original.rows());
      assertThat(kept.firstRow()).isEqualTo(original.firstRow());
      Shard a = original.shard();
      Shard b = kept.shard();
      assertThat(List.of(b.path(), b.format(), b.rows(), b.bytes(), b.crc32c(), b.batchRows()))
          .isEqualTo(List.of(a.path(), a.format(), a.rows(), a.bytes(), a.crc32c(), a.batchRows()));
      assertThat(b.partition()).isEqualTo(a.partition());
      assertThat(b.stats()).isEmpty();
      assertThat(b.properties()).isEmpty();
      assertThat(plan.blockStart(i + 1) - plan.blockStart(i)).isEqualTo(original.rows());
    }
  }

  private static Integer[] box(int[] a) {
    Integer[] out = new Integer[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }
}
