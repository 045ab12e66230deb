package io.mlobj.feed.plan;

import io.mlobj.ScanTask;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

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
  /** Most samples the cache of permuted windows holds (beyond one window). */
  private static final int WINDOW_CACHE_SAMPLES = 1 << 21;

  private final List<ScanTask> blocks;
  private final long[] blockStart;
  private final long seed;
  private final long epoch;
  private final boolean shuffle;
  private final int window;
  private final int samples;

  /** Blocks (natural index) in the order shards and blocks were permuted; null unshuffled. */
  private final int[] permuted;

  /** Position of the first sample of each permuted block, and the total at the end. */
  private final long[] permutedStart;

  /** Recently permuted windows, by window index modulo the length. */
  private final AtomicReferenceArray<Window> windows;

  private record Window(long index, int[] samples) {}

  private SamplePlan(
      List<ScanTask> blocks,
      long[] blockStart,
      long seed,
      long epoch,
      boolean shuffle,
      int window,
      int[] permuted,
      long[] permutedStart) {
    this.blocks = blocks;
    this.blockStart = blockStart;
    this.seed = seed;
    this.epoch = epoch;
    this.shuffle = shuffle;
    this.window = window;
    this.samples = (int) blockStart[blocks.size()];
    this.permuted = permuted;
    this.permutedStart = permutedStart;
    this.windows =
        new AtomicReferenceArray<>(Math.max(1, Math.min(16, WINDOW_CACHE_SAMPLES / window)));
  }

  /**
   * Plans an epoch. The plan holds the blocks compactly ({@link CompactTasks}) and the permuted
   * order of the blocks, not a position per sample: the order within each shuffle window is derived
   * from the window's seed when it is read, so a plan costs a few dozen bytes per block whatever
   * the number of samples.
   *
   * @param blocks one task per row group / record batch, in the version's natural order
   * @param shuffle false keeps the natural order
   * @param window shuffle window in samples (ignored without shuffling)
   */
  public static SamplePlan of(
      List<ScanTask> blocks, long seed, long epoch, boolean shuffle, int window) {
    List<ScanTask> compact = CompactTasks.of(blocks);
    long[] start = new long[compact.size() + 1];
    for (int i = 0; i < compact.size(); i++) {
      start[i + 1] = start[i] + compact.get(i).rows();
    }
    if (start[compact.size()] > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "Cannot plan an epoch of "
              + start[compact.size()]
              + " samples: at most 2^31 are supported. Filter the dataset with a predicate.");
    }
    int w = Math.max(1, window);
    if (!shuffle) {
      return new SamplePlan(compact, start, seed, epoch, false, w, null, null);
    }
    int[] permuted = permuteBlocks((CompactTasks) compact, seed, epoch);
    long[] permutedStart = new long[permuted.length + 1];
    for (int k = 0; k < permuted.length; k++) {
      int b = permuted[k];
      permutedStart[k + 1] = permutedStart[k] + (start[b + 1] - start[b]);
    }
    return new SamplePlan(compact, start, seed, epoch, true, w, permuted, permutedStart);
  }

  /**
   * Groups blocks by shard (in order of first appearance), permutes the shards, then the blocks of
   * each shard in turn, with one generator: the block order of the documented shuffle.
   */
  private static int[] permuteBlocks(CompactTasks blocks, long seed, long epoch) {
    int n = blocks.size();
    int[] groupOf = new int[n];
    Map<String, Integer> groups = new HashMap<>();
    String previous = null;
    int groupCount = 0;
    for (int i = 0; i < n; i++) {
      String path = blocks.shardPath(i);
      if (path == previous) {
        groupOf[i] = groupOf[i - 1];
        continue;
      }
      Integer g = groups.putIfAbsent(path, groupCount);
      if (g == null) {
        g = groupCount++;
      }
      groupOf[i] = g;
      previous = path;
    }
    // Each group's blocks, in block order: counting sort by group.
    int[] groupStart = new int[groupCount + 1];
    for (int g : groupOf) {
      groupStart[g + 1]++;
    }
    for (int g = 0; g < groupCount; g++) {
      groupStart[g + 1] += groupStart[g];
    }
    int[] members = new int[n];
    int[] fill = Arrays.copyOf(groupStart, groupCount);
    for (int i = 0; i < n; i++) {
      members[fill[groupOf[i]]++] = i;
    }
    int[] shardOrder = new int[groupCount];
    for (int g = 0; g < groupCount; g++) {
      shardOrder[g] = g;
    }
    SplittableRandom shardRng = new SplittableRandom(mix(seed, epoch, 0x5A4D));
    shuffle(shardOrder, 0, groupCount, shardRng);
    int[] out = new int[n];
    int k = 0;
    for (int g : shardOrder) {
      int from = k;
      for (int m = groupStart[g]; m < groupStart[g + 1]; m++) {
        out[k++] = members[m];
      }
      shuffle(out, from, k, shardRng);
    }
    return out;
  }

  /**
   * The samples of one window in epoch order: the block-permuted sequence's positions {@code [index
   * * window, ...)}, permuted uniformly with the window's own seed.
   */
  private int[] window(long index) {
    int slot = (int) (index % windows.length());
    Window cached = windows.get(slot);
    if (cached != null && cached.index() == index) {
      return cached.samples();
    }
    long from = index * window;
    int size = (int) Math.min(window, samples - from);
    int[] out = new int[size];
    int k = Arrays.binarySearch(permutedStart, from);
    k = k >= 0 ? k : -k - 2;
    while (permutedStart[k + 1] == permutedStart[k]) {
      k++; // empty blocks hold no position
    }
    long sample = blockStart[permuted[k]] + (from - permutedStart[k]);
    for (int i = 0; i < size; i++) {
      while (sample >= blockStart[permuted[k] + 1]) {
        k++;
        sample = blockStart[permuted[k]];
      }
      out[i] = (int) sample++;
    }
    SplittableRandom rng = new SplittableRandom(mix(seed, epoch, 0x10000L + index));
    for (int i = size - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    windows.set(slot, new Window(index, out));
    return out;
  }

  /** Samples in the epoch. */
  public int size() {
    return samples;
  }

  /**
   * The sample (global index) at a position of the epoch order. Cheap for positions near recent
   * ones (the windows read last are kept); the first read of a window permutes it.
   */
  public int sampleAt(long position) {
    if (position < 0 || position >= samples) {
      throw new IndexOutOfBoundsException("position " + position + " of " + samples);
    }
    if (!shuffle) {
      return (int) position;
    }
    return window(position / window)[(int) (position % window)];
  }

  /** The epoch order as global indexes: an array of {@link #size()} ints, built on each call. */
  public int[] order() {
    int[] out = new int[samples];
    if (!shuffle) {
      for (int i = 0; i < samples; i++) {
        out[i] = i;
      }
      return out;
    }
    for (long index = 0; index * window < samples; index++) {
      int[] w = window(index);
      System.arraycopy(w, 0, out, (int) (index * window), w.length);
    }
    return out;
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

  /** Fisher-Yates over {@code a[from, to)}, drawing as a shuffle of that range as a list does. */
  private static void shuffle(int[] a, int from, int to, SplittableRandom rng) {
    for (int i = to - from - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[from + i];
      a[from + i] = a[from + j];
      a[from + j] = t;
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
