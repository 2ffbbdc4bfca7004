package dev.personalization.bench.load;

import java.time.Duration;
import java.util.Objects;

/**
 * One run of the open-loop load: a warm-up at {@code rps} (not measured), the measured segment at
 * {@code rps}, and optionally an <em>after</em> segment at another rate, used by the stress test to
 * watch the target recover once the load drops. Immutable.
 *
 * @param rps the offered rate of the warm-up and the measured segment, requests per second
 * @param warmup how long to load before measuring (may be zero)
 * @param duration the measured segment
 * @param arrivals how due times are spaced
 * @param afterRps the rate of the after segment (ignored when {@code after} is zero)
 * @param after how long the after segment lasts; zero for an ordinary step
 * @param window the width of the {@link StepResult#timeline()} windows; zero for no timeline
 * @param label what the step is for ({@code step}, {@code bisect}, {@code stress}, {@code recovery})
 */
public record StepPlan(
    double rps, Duration warmup, Duration duration, Arrivals arrivals, double afterRps, Duration after, Duration window,
    String label) {

  public StepPlan {
    positive(rps, "rps");
    Objects.requireNonNull(warmup, "warmup");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(arrivals, "arrivals");
    Objects.requireNonNull(after, "after");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(label, "label");
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("warmup must be >= 0, was " + warmup);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive, was " + duration);
    }
    if (after.isNegative()) {
      throw new IllegalArgumentException("after must be >= 0, was " + after);
    }
    if (!after.isZero()) {
      positive(afterRps, "afterRps");
    }
    if (window.isNegative()) {
      throw new IllegalArgumentException("window must be >= 0, was " + window);
    }
  }

  /** A plain step: warm-up, then {@code duration} measured at {@code rps}, no timeline. */
  public static StepPlan steady(double rps, Duration warmup, Duration duration, Arrivals arrivals, String label) {
    return new StepPlan(rps, warmup, duration, arrivals, 0, Duration.ZERO, Duration.ZERO, label);
  }

  /**
   * {@code overload} at {@code rps}, then {@code recovery} at {@code dropToRps}, with a timeline of
   * {@code window}-wide windows over both, to see how long the target takes to recover.
   */
  public static StepPlan dropAfter(double rps, Duration overload, double dropToRps, Duration recovery, Duration window,
      Arrivals arrivals) {
    return new StepPlan(rps, Duration.ZERO, overload, arrivals, dropToRps, recovery, window, "recovery");
  }

  private static void positive(double v, String name) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be positive and finite, was " + v);
    }
  }
}
