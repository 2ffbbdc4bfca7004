package dev.personalization.cache.caffeine;

import dev.personalization.feature.FeatureVector;

/**
 * What the Caffeine map holds: the vector plus the TTL it was written with and the ticker time of
 * that write. Keeping the write time, not just the TTL, lets {@link VectorExpiry} give a value that
 * survives a merge (because the incoming write was older) exactly the deadline it already had.
 *
 * @param vector the cached value
 * @param writtenAtNanos the tier's ticker reading when the value was written
 * @param ttlNanos the entry's time to live in nanoseconds, positive
 */
record StoredVector(FeatureVector vector, long writtenAtNanos, long ttlNanos) {

  /** Nanoseconds this value has left at ticker time {@code nowNanos}; zero or less means expired. */
  long remainingNanos(long nowNanos) {
    // A difference of ticker readings, as System.nanoTime requires; ttlNanos - elapsed cannot
    // overflow because both are non-negative.
    return ttlNanos - (nowNanos - writtenAtNanos);
  }
}
