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
import java.util.List;
import java.util.Set;
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

  private static Integer[] box(int[] a) {
    Integer[] out = new Integer[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }
}
