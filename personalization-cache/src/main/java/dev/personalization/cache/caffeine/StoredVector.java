package dev.personalization.cache.caffeine;

import dev.personalization.feature.FeatureVector;

/**
 * A cached vector and the ticker time at which it expires.
 *
 * <p>The tier checks the deadline itself on every read instead of using Caffeine's variable
 * expiration: that policy re-links every read entry in Caffeine's timer wheel when the read is
 * replayed, and with the same hot entries (a scenario's 200 popular items) read by every request,
 * that write traffic on shared entries made two request threads slower than one.
 */
record StoredVector(FeatureVector vector, long deadlineNanos) {

  /** TTLs are capped here (146 years) so that a deadline compares safely across ticker overflow. */
  static final long MAX_TTL_NANOS = 1L << 62;

  static StoredVector of(FeatureVector vector, long nowNanos, long ttlNanos) {
    return new StoredVector(vector, nowNanos + Math.min(ttlNanos, MAX_TTL_NANOS));
  }

  /** Whether the deadline has passed at ticker time {@code nowNanos}. */
  boolean expiredAt(long nowNanos) {
    // A difference of ticker readings, as System.nanoTime requires.
    return nowNanos - deadlineNanos >= 0;
  }
}
