package dev.personalization.bench.load;

/**
 * The requests whose intended start fell into one window of a step's timeline.
 *
 * @param startMillis the window's start, milliseconds after the measured segment began
 * @param due requests due in the window
 * @param finished of those, answered or failed before the drain ended
 * @param errors of the finished, how many failed
 * @param p99Millis the 99th percentile latency of the answered ones; NaN without answers
 * @param maxMillis the largest latency; NaN without answers
 */
public record TimelineWindow(long startMillis, long due, long finished, long errors, double p99Millis, double maxMillis) {

  /** Whether every request due in the window was answered within {@code sloMillis} at P99, without errors. */
  public boolean healthy(double sloMillis) {
    return finished == due && errors == 0 && !(p99Millis > sloMillis);
  }
}
