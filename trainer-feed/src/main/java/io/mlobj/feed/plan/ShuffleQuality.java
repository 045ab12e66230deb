package io.mlobj.feed.plan;

/**
 * Figures that say how well an epoch order is shuffled, used by the tests and the benchmark.
 *
 * <ul>
 *   <li>{@link #spearman}: rank correlation between a sample's natural index and its position in
 *       the epoch (0 for a uniform shuffle, 1 for none).
 *   <li>{@link #sameBlockAdjacency}: how often two consecutive samples come from the same block
 *       (row group); a uniform shuffle gives about 1 / blocks, no shuffle about 1.
 *   <li>{@link #tailChiSquare}: how far from uniform the natural indexes in the last part of the
 *       epoch are (chi-square over equal bins, divided by its degrees of freedom: about 1 when
 *       uniform, large when the tail comes from a few shards).
 * </ul>
 */
public final class ShuffleQuality {
  private ShuffleQuality() {}

  /** Spearman's rho between natural index and position ({@code order[position] = index}). */
  public static double spearman(int[] order) {
    int n = order.length;
    if (n < 2) {
      return 0;
    }
    double sumD2 = 0;
    for (int position = 0; position < n; position++) {
      double d = (double) order[position] - position;
      sumD2 += d * d;
    }
    return 1 - 6 * sumD2 / ((double) n * ((double) n * n - 1));
  }

  /** Fraction of consecutive pairs whose samples lie in the same block. */
  public static double sameBlockAdjacency(SamplePlan plan) {
    int[] order = plan.order();
    int same = 0;
    for (int i = 1; i < order.length; i++) {
      if (plan.blockOf(order[i]) == plan.blockOf(order[i - 1])) {
        same++;
      }
    }
    return order.length < 2 ? 0 : (double) same / (order.length - 1);
  }

  /**
   * Chi-square of the natural indexes of the last {@code tailFraction} of the order over {@code
   * bins} equal bins of the index range, divided by {@code bins - 1}.
   */
  public static double tailChiSquare(int[] order, double tailFraction, int bins) {
    int n = order.length;
    int tail = Math.max(1, (int) (n * tailFraction));
    long[] counts = new long[bins];
    for (int i = n - tail; i < n; i++) {
      counts[(int) ((long) order[i] * bins / n)]++;
    }
    double expected = (double) tail / bins;
    double chi = 0;
    for (long c : counts) {
      chi += (c - expected) * (c - expected) / expected;
    }
    return chi / (bins - 1);
  }
}
