package dev.personalization.model;

import dev.personalization.PersonalizationException;

/** A request's time budget ran out before the model started on it; it was dropped unscored. */
public class PredictionTimeoutException extends PersonalizationException {

  /** @param message how long the request waited and what its budget was */
  public PredictionTimeoutException(String message) {
    super(message);
  }
}
