package dev.personalization.bench.load;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link LoadTester#findMaxSustainable}.
 *
 * @param steps every step run, in order, including reruns of invalid steps and bisection steps
 * @param maxSustainableRps the highest passing rate with every lower step passing, refined by
 *     bisection; NaN when even the first step failed
 * @param best the passing step at that rate, or {@code null}
 * @param lowestFailingRps the lowest rate that did not pass (the bisection's upper bound); NaN when
 *     none failed
 * @param note how the search ended, in a sentence
 */
public record SearchResult(List<StepResult> steps, double maxSustainableRps, StepResult best, double lowestFailingRps,
    String note) {

  public SearchResult {
    steps = List.copyOf(steps);
    Objects.requireNonNull(note, "note");
  }
}
