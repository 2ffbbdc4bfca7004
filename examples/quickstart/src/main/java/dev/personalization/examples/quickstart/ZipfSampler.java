package dev.personalization.examples.quickstart;

import java.util.Arrays;
import java.util.Random;

/**
 * Draws ranks {@code 0 .. n-1} with probability proportional to {@code 1 / (rank + 1)^s}: rank 0 is
 * the most frequent. Inverse-CDF over a precomputed table, so a draw is one binary search.
 * Immutable and thread-safe; the caller supplies the {@link Random}, which keeps runs reproducible.
 */
final class ZipfSampler {

  private final double[] cumulative;

  /**
   * @param n the number of ranks, {@code >= 1}
   * @param s the exponent, {@code >= 0} (0 is uniform; about 1 is typical of user activity)
   */
  ZipfSampler(int n, double s) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, was " + n);
    }
    if (!(s >= 0) || Double.isInfinite(s)) {
      throw new IllegalArgumentException("s must be finite and >= 0, was " + s);
    }
    cumulative = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += Math.pow(k + 1, -s);
      cumulative[k] = sum;
    }
    for (int k = 0; k < n; k++) {
      cumulative[k] /= sum;
    }
  }

  /** The number of ranks. */
  int size() {
    return cumulative.length;
  }

  /** The probability of drawing {@code rank}. */
  double probability(int rank) {
    return rank == 0 ? cumulative[0] : cumulative[rank] - cumulative[rank - 1];
  }

  /** One draw. */
  int sample(Random random) {
    double u = random.nextDouble();
    int i = Arrays.binarySearch(cumulative, u);
    // Not found: insertion point is the first rank whose cumulative probability exceeds u.
    int rank = i >= 0 ? i : -i - 1;
    return Math.min(rank, cumulative.length - 1);
  }
}
