package dev.personalization.feature;

import dev.personalization.PersonalizationException;

/**
 * Bytes handed to {@link FeatureVectorCodec#decode} are not a feature vector of a format this
 * library reads (truncated, corrupt, from a newer format, or over the size limit), or a vector is
 * too large to encode. Carries no bytes: the message says what was wrong and where.
 */
public final class FeatureVectorFormatException extends PersonalizationException {

  public FeatureVectorFormatException(String message) {
    super(message);
  }
}
