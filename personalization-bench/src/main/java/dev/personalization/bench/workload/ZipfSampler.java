package dev.personalization.bench.workload;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Draws ranks {@code 0 … n-1} with probability proportional to {@code 1 / (rank + 1)^exponent}: rank 0
 * is the most popular. Precomputes the cumulative distribution once ({@code n} doubles) and samples by
 * binary search, so a draw costs about {@code log2(n)} comparisons and allocates nothing.
 *
 * <p>Immutable and thread-safe; the caller supplies the (per-thread) random generator.
 */
public final class ZipfSampler {

  private final double[] cumulative;

  /**
   * @param n number of ranks, {@code >= 1}
   * @param exponent the skew, {@code >= 0}; 0 is uniform, 1 is classic Zipf
   * @throws IllegalArgumentException for a bad {@code n} or exponent
   */
  public ZipfSampler(int n, double exponent) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, was " + n);
    }
    if (!(exponent >= 0) || Double.isInfinite(exponent)) {
      throw new IllegalArgumentException("exponent must be finite and >= 0, was " + exponent);
    }
    cumulative = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1.0 / Math.pow(i + 1, exponent);
      cumulative[i] = sum;
    }
    for (int i = 0; i < n; i++) {
      cumulative[i] /= sum;
    }
    cumulative[n - 1] = 1.0;
  }

  /** Number of ranks. */
  public int size() {
    return cumulative.length;
  }

  /** A rank in {@code [0, size())}. */
  public int sample(RandomGenerator random) {
    double u = random.nextDouble();
    int at = Arrays.binarySearch(cumulative, u);
    // binarySearch returns -(insertion point) - 1 when u is not an exact element.
    int rank = at >= 0 ? at : -at - 1;
    return Math.min(rank, cumulative.length - 1);
  }

  /** The probability of {@code rank}. */
  public double probability(int rank) {
    return rank == 0 ? cumulative[0] : cumulative[rank] - cumulative[rank - 1];
  }
}
