package dev.personalization.bench.load;

import java.util.List;
import java.util.Objects;

/**
 * How a step was judged.
 *
 * @param status pass, fail, or invalid (the load generator fell behind: neither pass nor fail)
 * @param reasons why it failed or is invalid; empty for a pass
 */
public record Verdict(Status status, List<String> reasons) {

  /** The outcome of a step. */
  public enum Status {
    /** Every rule held. */
    PASS,
    /** At least one rule broke. */
    FAIL,
    /** The load generator itself fell behind, so the step says nothing about the target. */
    INVALID,
    /** Not judged (yet). */
    UNJUDGED
  }

  /** Not judged. */
  public static final Verdict UNJUDGED = new Verdict(Status.UNJUDGED, List.of());

  public Verdict {
    Objects.requireNonNull(status, "status");
    reasons = List.copyOf(reasons);
  }

  /** Whether the step passed. */
  public boolean passed() {
    return status == Status.PASS;
  }
}
