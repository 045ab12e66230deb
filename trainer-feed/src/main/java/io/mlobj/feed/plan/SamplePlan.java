package io.mlobj.feed.plan;

import io.mlobj.ScanTask;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The global sample order of one epoch: a pure function of the blocks of a dataset version (row
 * groups or record batches, in manifest order), the seed, the epoch and the shuffle window. It does
 * not depend on the number of ranks or workers, which is what makes resuming on another world size
 * exact: the job's progress is a prefix of this order, whatever split consumed it.
 *
 * <p>Order, when shuffling: shards are permuted, the blocks of each shard are permuted, and the
 * resulting sample sequence is cut into windows of {@code window} samples, each permuted uniformly.
 * The window is the shuffle buffer: a bigger one mixes farther at the cost of memory (decoded
 * blocks of one window are held by each stream). Without shuffling the order is the natural one.
 *
 * <p>Samples are identified by their global index: the row's position in the natural order of the
 * version (shard by shard, row by row), the same index {@code take} uses.
 */
public final class SamplePlan {
  private final List<ScanTask> blocks;
  private final long[] blockStart;
  private final int[] order;

  private SamplePlan(List<ScanTask> blocks, long[] blockStart, int[] order) {
    this.blocks = blocks;
    this.blockStart = blockStart;
    this.order = order;
  }

  /**
   * Plans an epoch.
   *
   * @param blocks one task per row group / record batch, in the version's natural order
   * @param shuffle false keeps the natural order
   * @param window shuffle window in samples (ignored without shuffling)
   */
  public static SamplePlan of(
      List<ScanTask> blocks, long seed, long epoch, boolean shuffle, int window) {
    long[] start = new long[blocks.size() + 1];
    for (int i = 0; i < blocks.size(); i++) {
      start[i + 1] = start[i] + blocks.get(i).rows();
    }
    if (start[blocks.size()] > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "Cannot plan an epoch of "
              + start[blocks.size()]
              + " samples: at most 2^31 are supported. Filter the dataset with a predicate.");
    }
    int n = (int) start[blocks.size()];
    int[] order = new int[n];
    if (!shuffle) {
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      return new SamplePlan(List.copyOf(blocks), start, order);
    }
    // Group blocks by shard (consecutive in manifest order), permute shards, then blocks.
    Map<String, List<Integer>> byShard = new LinkedHashMap<>();
    for (int i = 0; i < blocks.size(); i++) {
      byShard.computeIfAbsent(blocks.get(i).shard().path(), k -> new ArrayList<>()).add(i);
    }
    List<List<Integer>> shards = new ArrayList<>(byShard.values());
    SplittableRandom shardRng = new SplittableRandom(mix(seed, epoch, 0x5A4D));
    shuffle(shards, shardRng);
    int k = 0;
    for (List<Integer> shard : shards) {
      List<Integer> shardBlocks = new ArrayList<>(shard);
      shuffle(shardBlocks, shardRng);
      for (int b : shardBlocks) {
        for (long s = start[b]; s < start[b + 1]; s++) {
          order[k++] = (int) s;
        }
      }
    }
    int w = Math.max(1, window);
    for (int from = 0, win = 0; from < n; from += w, win++) {
      int to = Math.min(n, from + w);
      SplittableRandom rng = new SplittableRandom(mix(seed, epoch, 0x10000L + win));
      for (int i = to - 1; i > from; i--) {
        int j = from + rng.nextInt(i - from + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return new SamplePlan(List.copyOf(blocks), start, order);
  }

  /** Samples in the epoch. */
  public int size() {
    return order.length;
  }

  /** The sample (global index) at a position of the epoch order. */
  public int sampleAt(long position) {
    return order[(int) position];
  }

  /** The epoch order as global indexes (a copy). */
  public int[] order() {
    return order.clone();
  }

  /** The blocks, in natural order. */
  public List<ScanTask> blocks() {
    return blocks;
  }

  /** The block holding a global sample index. */
  public int blockOf(long sample) {
    int i = Arrays.binarySearch(blockStart, sample);
    return i >= 0 ? (i < blocks.size() ? i : i - 1) : -i - 2;
  }

  /** Global index of the first sample of a block. */
  public long blockStart(int block) {
    return blockStart[block];
  }

  /** Total rows of the blocks (same as {@link #size()}). */
  public long rows() {
    return blockStart[blocks.size()];
  }

  /**
   * The part of the epoch one consumer reads, as positions of the epoch order, batch by batch.
   *
   * <p>Starting at {@code position}, the order is cut into global batches of {@code batchSize}.
   * Global batch {@code g} goes to rank {@code g % worldSize}; the rank's batch {@code j = g /
   * worldSize} goes to worker {@code j % numWorkers}. So ranks consuming in lockstep have consumed
   * a prefix of the order after every step, and a DataLoader, which takes batches from its workers
   * round robin, hands the rank its batches in order.
   *
   * <p>Every rank gets the same number of full batches, {@link #rankBatches}, whatever {@code
   * numWorkers} is (a worker gets {@code ceil} or {@code floor} of its share: the rank's batch
   * count need not divide by the workers). Without {@code dropLast} the number of global batches is
   * rounded up to a multiple of {@code worldSize} and positions past the end of the epoch wrap to
   * its start (padding repeats fewer than {@code worldSize * batchSize} samples); with {@code
   * dropLast} the tail that cannot give every rank a full batch is dropped.
   *
   * @return positions, {@code [batch][i]}
   */
  public long[][] assignment(
      long position,
      int batchSize,
      int worldSize,
      int rank,
      int numWorkers,
      int worker,
      boolean dropLast) {
    long perRank = rankBatches(position, batchSize, worldSize, dropLast);
    int perWorker = (int) (perRank <= worker ? 0 : ceilDiv(perRank - worker, numWorkers));
    long[][] out = new long[perWorker][batchSize];
    for (int m = 0; m < perWorker; m++) {
      long g = rank + (long) worldSize * (worker + (long) numWorkers * m);
      long first = position + g * batchSize;
      for (int i = 0; i < batchSize; i++) {
        long p = first + i;
        out[m][i] = p < size() ? p : (p - size()) % size();
      }
    }
    return out;
  }

  /**
   * Batches each rank gets from {@code position} to the end of the epoch: {@code
   * ceil(ceil(remaining / batchSize) / worldSize)}, or {@code floor(floor(remaining / batchSize) /
   * worldSize)} with {@code dropLast}. Independent of the number of DataLoader workers.
   */
  public long rankBatches(long position, int batchSize, int worldSize, boolean dropLast) {
    long remaining = Math.max(0, size() - position);
    return dropLast
        ? remaining / batchSize / worldSize
        : ceilDiv(ceilDiv(remaining, batchSize), worldSize);
  }

  /** The position reached after a rank consumed {@code batches} of its batches (lockstep). */
  public static long positionAfter(long start, long batches, int batchSize, int worldSize) {
    return start + batches * batchSize * worldSize;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static <T> void shuffle(List<T> list, SplittableRandom rng) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  /** A well-mixed seed from several longs (SplitMix64 finaliser). */
  public static long mix(long... parts) {
    long h = 0x9E3779B97F4A7C15L;
    for (long p : parts) {
      h ^= p + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2);
      h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
      h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
      h ^= h >>> 31;
    }
    return h;
  }
}
