package dev.personalization.cache.redis;

import dev.personalization.PersonalizationException;

/**
 * Bytes read from Redis under one of the tier's keys are not a vector {@link VectorCodec} wrote
 * for that key. The tier never lets it escape: it counts the value as a miss and deletes it.
 */
public final class CorruptValueException extends PersonalizationException {

  private final String key;

  public CorruptValueException(String key, String problem) {
    super("the value under '" + key + "' " + problem);
    this.key = key;
  }

  /** The cache key whose value is corrupt. */
  public String key() {
    return key;
  }
}
