package dev.personalization.bench.load;

/**
 * CPU and heap of the system under test over one measured window. Fractions are NaN when unknown.
 *
 * @param cpu process CPU time over wall time times available cores, {@code 0 … 1}
 * @param cpuSeconds process CPU seconds spent in the window
 * @param heap the highest heap occupancy seen right after a garbage collection in the window, over
 *     the maximum heap (the used heap at the window's end when no collection ran)
 * @param heapUsedBytes the occupancy behind {@link #heap}
 * @param heapMaxBytes the maximum heap
 */
public record ResourceUsage(double cpu, double cpuSeconds, double heap, long heapUsedBytes, long heapMaxBytes) {

  /** Nothing measured. */
  public static final ResourceUsage UNKNOWN = new ResourceUsage(Double.NaN, Double.NaN, Double.NaN, -1, -1);
}
