package dev.personalization;

/**
 * The engine already serves its maximum number of requests; this one was rejected at once instead
 * of queueing. Hosts typically answer with HTTP 503 or retry elsewhere.
 */
public final class EngineOverloadedException extends PersonalizationException {

  private final int maxInFlight;

  public EngineOverloadedException(int maxInFlight) {
    super("engine overloaded: " + maxInFlight + " requests already in flight");
    this.maxInFlight = maxInFlight;
  }

  /** The admission limit that was reached. */
  public int maxInFlight() {
    return maxInFlight;
  }
}
