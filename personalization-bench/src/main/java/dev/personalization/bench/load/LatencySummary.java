package dev.personalization.bench.load;

import org.HdrHistogram.AbstractHistogram;

/**
 * Percentiles of a latency distribution, in milliseconds; all NaN when nothing was recorded.
 *
 * @param count number of recorded values
 * @param mean the mean
 * @param p50 the median
 * @param p90 the 90th percentile
 * @param p99 the 99th percentile
 * @param p999 the 99.9th percentile
 * @param max the largest value
 */
public record LatencySummary(long count, double mean, double p50, double p90, double p99, double p999, double max) {

  /** No values. */
  public static final LatencySummary EMPTY =
      new LatencySummary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

  /** Summarises a histogram recorded in microseconds. */
  public static LatencySummary ofMicros(AbstractHistogram h) {
    if (h.getTotalCount() == 0) {
      return EMPTY;
    }
    return new LatencySummary(h.getTotalCount(), h.getMean() / 1000.0,
        ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
        ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()));
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}
