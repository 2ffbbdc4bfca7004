package dev.personalization.bench.load;

/**
 * CPU and heap of the system under test over one measured window. Fractions are NaN and byte
 * counts -1 when unknown.
 *
 * @param cpu process CPU time over wall time times available cores, {@code 0 … 1}
 * @param cpuSeconds process CPU seconds spent in the window
 * @param heap the <em>lowest</em> heap occupancy seen right after a garbage collection in the
 *     window, over the maximum heap (the reading after the last collection before the window when none
 *     ran in it): the heap the process cannot do without. The highest after-collection figure is not it: on G1 a
 *     young collection leaves old-generation garbage in place until the next marking cycle, so that
 *     figure climbs towards the occupancy threshold (45%) whatever the live data
 * @param heapUsedBytes the occupancy behind {@link #heap}
 * @param heapPeakAfterGcBytes the highest occupancy right after a collection in the window
 * @param heapMaxBytes the maximum heap
 */
public record ResourceUsage(double cpu, double cpuSeconds, double heap, long heapUsedBytes, long heapPeakAfterGcBytes,
    long heapMaxBytes) {

  /** Nothing measured. */
  public static final ResourceUsage UNKNOWN = new ResourceUsage(Double.NaN, Double.NaN, Double.NaN, -1, -1, -1);
}
