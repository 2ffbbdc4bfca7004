package dev.personalization.model;

import dev.personalization.PersonalizationException;

/**
 * A {@link BatchingPredictor}'s queue was full, so the request was rejected at once instead of
 * waiting without bound; the engine answers such a request with its fallback.
 */
public class PredictorOverloadedException extends PersonalizationException {

  private final int maxQueuedRows;

  /**
   * @param maxQueuedRows the queue's capacity in rows
   * @param message what was rejected
   */
  public PredictorOverloadedException(int maxQueuedRows, String message) {
    super(message);
    this.maxQueuedRows = maxQueuedRows;
  }

  /** The queue's capacity in rows. */
  public int maxQueuedRows() {
    return maxQueuedRows;
  }
}
