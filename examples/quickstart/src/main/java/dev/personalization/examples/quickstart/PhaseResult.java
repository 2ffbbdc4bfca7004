package dev.personalization.examples.quickstart;

import java.util.Arrays;
import java.util.Map;

/**
 * What one load phase measured.
 *
 * @param calls {@code recommendNow} calls made
 * @param latencyNanos every call's latency, sorted ascending
 * @param latencyNanosByScenario the same per scenario name, each sorted
 * @param errors calls that threw
 * @param degraded calls answered with the popular fallback
 * @param empty calls answered without any item
 * @param wallNanos wall-clock time of the phase
 * @param cpuNanos process CPU time spent during the phase, or {@code -1} if the JVM does not say
 * @param firstError the first exception, for the report; {@code null} when there was none
 * @param firstDegradation the first degradation reason; {@code null} when there was none
 */
record PhaseResult(
    int calls,
    long[] latencyNanos,
    Map<String, long[]> latencyNanosByScenario,
    int errors,
    int degraded,
    int empty,
    long wallNanos,
    long cpuNanos,
    String firstError,
    String firstDegradation) {

  /** The exact {@code q}-quantile (nearest rank) of sorted latencies, in nanoseconds; 0 if there are none. */
  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  long percentile(double q) {
    return percentile(latencyNanos, q);
  }

  /** Calls per second of wall-clock time. */
  double throughput() {
    return wallNanos <= 0 ? 0 : calls * 1e9 / wallNanos;
  }

  /** Share of the machine's cores used by the process during the phase; {@code NaN} if unknown. */
  double cpuShare() {
    return ProcessProbe.cpuShare(cpuNanos, wallNanos);
  }

  /** Errors divided by calls. */
  double errorRate() {
    return calls == 0 ? 0 : (double) errors / calls;
  }

  @Override
  public String toString() {
    return "PhaseResult{calls=" + calls + ", p50=" + percentile(0.5) + "ns, p99=" + percentile(0.99) + "ns, errors=" + errors
        + ", degraded=" + degraded + ", empty=" + empty + ", wall=" + wallNanos + "ns}";
  }

  /** Sorts in place and returns the array, for the compact constructor's callers. */
  static long[] sorted(long[] values) {
    Arrays.sort(values);
    return values;
  }
}
