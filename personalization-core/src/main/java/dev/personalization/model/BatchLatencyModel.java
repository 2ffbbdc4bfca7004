package dev.personalization.model;

/**
 * What a model call costs as a function of its rows, learnt online: an exponentially weighted
 * least-squares fit of {@code nanos = intercept + perRow * rows}, so that recent calls count most
 * and a model that slows down (a busier host, a swapped model) is noticed within tens of calls.
 * Thread-safe.
 */
final class BatchLatencyModel {

  /** Weight kept by the past at each new sample: about the last 30 calls matter. */
  private static final double DECAY = 0.97;

  private double sw;
  private double sx;
  private double sy;
  private double sxx;
  private double sxy;
  private long samples;

  synchronized void record(int rows, long nanos) {
    double x = rows;
    double y = nanos;
    sw = sw * DECAY + 1;
    sx = sx * DECAY + x;
    sy = sy * DECAY + y;
    sxx = sxx * DECAY + x * x;
    sxy = sxy * DECAY + x * y;
    samples++;
  }

  synchronized long samples() {
    return samples;
  }

  /**
   * The fitted {@code {intercept, perRow}} in nanoseconds, or {@code null} before the first sample.
   * When the recent calls all had about the same size the slope cannot be separated from the
   * intercept, and the cost is taken as proportional to rows: the cautious reading, which gives the
   * smaller batches.
   */
  synchronized double[] fit() {
    if (samples == 0) {
      return null;
    }
    double mx = sx / sw;
    double my = sy / sw;
    double varX = sxx / sw - mx * mx;
    double cov = sxy / sw - mx * my;
    if (varX > 1.0 && cov > 0) {
      double slope = cov / varX;
      double intercept = my - slope * mx;
      if (intercept < 0) {
        // Noise can tilt the line below the origin; a call never costs less than nothing.
        intercept = 0;
      }
      return new double[] {intercept, slope};
    }
    return new double[] {0, my / Math.max(mx, 1)};
  }

  /**
   * The most rows a call may take to finish within {@code targetNanos} by the current fit, clamped
   * to {@code [min, max]}; {@code max} before anything was measured.
   */
  int rowsWithin(long targetNanos, int min, int max) {
    double[] f = fit();
    if (f == null || f[1] <= 0) {
      return max;
    }
    double rows = (targetNanos - f[0]) / f[1];
    if (rows >= max) {
      return max;
    }
    // The epsilon keeps a fit that is exact up to rounding from losing a row to floor().
    return (int) Math.max(min, Math.floor(rows + 1e-6));
  }
}
