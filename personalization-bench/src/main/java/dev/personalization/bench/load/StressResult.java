package dev.personalization.bench.load;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link LoadTester#stress}.
 *
 * @param ramp the stress steps, in order
 * @param breakingRps the first rate at which the target broke; NaN when it never did
 * @param breakReasons why it counted as broken
 * @param recovery the overload-then-drop run, or {@code null} when the target never broke
 * @param recoveryRps the rate the load dropped back to
 * @param recoverySeconds from the drop until every later window was healthy; NaN when it did not
 *     recover before the run ended (or no recovery run happened)
 * @param note how the stress test ended, in a sentence
 */
public record StressResult(List<StepResult> ramp, double breakingRps, List<String> breakReasons, StepResult recovery,
    double recoveryRps, double recoverySeconds, String note) {

  public StressResult {
    ramp = List.copyOf(ramp);
    breakReasons = List.copyOf(breakReasons);
    Objects.requireNonNull(note, "note");
  }

  /**
   * Seconds from the drop (at {@code dropMillis} into the timeline) until the end of the last
   * unhealthy window, provided the windows after it are healthy; 0 when none was unhealthy; NaN when
   * the last window is still unhealthy.
   */
  public static double recoverySeconds(List<TimelineWindow> timeline, long dropMillis, long windowMillis, double sloMillis) {
    int lastBad = -1;
    int firstAfterDrop = -1;
    for (int w = 0; w < timeline.size(); w++) {
      TimelineWindow win = timeline.get(w);
      if (win.startMillis() < dropMillis) {
        continue;
      }
      if (firstAfterDrop < 0) {
        firstAfterDrop = w;
      }
      if (!win.healthy(sloMillis)) {
        lastBad = w;
      }
    }
    if (firstAfterDrop < 0) {
      return Double.NaN;
    }
    if (lastBad < 0) {
      return 0;
    }
    if (lastBad == timeline.size() - 1) {
      return Double.NaN;
    }
    return (timeline.get(lastBad).startMillis() + windowMillis - dropMillis) / 1000.0;
  }
}
