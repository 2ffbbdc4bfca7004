package dev.personalization.bench.load;

/**
 * A successful answer from a {@link Target}.
 *
 * @param degraded whether the target answered with a fallback (still a success, counted apart)
 */
public record TargetResponse(boolean degraded) {

  /** A full answer. */
  public static final TargetResponse OK = new TargetResponse(false);
  /** A fallback answer. */
  public static final TargetResponse DEGRADED = new TargetResponse(true);

  /** {@link #DEGRADED} or {@link #OK}. */
  public static TargetResponse of(boolean degraded) {
    return degraded ? DEGRADED : OK;
  }
}
