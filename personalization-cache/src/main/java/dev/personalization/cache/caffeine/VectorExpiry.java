package dev.personalization.cache.caffeine;

import com.github.benmanes.caffeine.cache.Expiry;
import dev.personalization.feature.FeatureVector;

/**
 * Expires each entry at its own deadline, the TTL of the write that stored it; reads do not extend
 * it.
 *
 * <p>The TTL is not stored with the value: the tier writes through {@link #write}, which hands the
 * TTL to this policy for the duration of Caffeine's atomic compute on the writing thread (Caffeine
 * asks the expiry policy inside that compute, on the same thread). Keeping it out of the entry saves
 * a wrapper object per cached vector, about a tenth of what a cached user costs on the heap.
 *
 * <p>When the write is rejected (the held value is newer), Caffeine still asks for the held value's
 * new deadline; the answer is its unchanged remaining time, so a rejected write cannot prolong a
 * value.
 */
final class VectorExpiry implements Expiry<String, FeatureVector> {

  /** The write the current thread is doing, if any. */
  private static final class Write {
    long ttlNanos;
    boolean stored;
    boolean active;
  }

  private final ThreadLocal<Write> current = ThreadLocal.withInitial(Write::new);

  /** A per-key decision of a write: the value to keep given the held one (null when absent). */
  @FunctionalInterface
  interface Decision {
    FeatureVector keep(String key, FeatureVector held);
  }

  /**
   * Runs one compute of {@code cache} for {@code key} with {@code ttlNanos} as the TTL of whatever
   * new value {@code decision} returns; a held value it returns keeps its deadline.
   */
  void write(com.github.benmanes.caffeine.cache.Cache<String, FeatureVector> cache, String key, long ttlNanos,
      Decision decision) {
    Write w = current.get();
    w.ttlNanos = ttlNanos;
    w.active = true;
    try {
      cache.asMap().compute(key, (k, held) -> {
        FeatureVector kept = decision.keep(k, held);
        w.stored = kept != held;
        return kept;
      });
    } finally {
      w.active = false;
    }
  }

  @Override
  public long expireAfterCreate(String key, FeatureVector value, long currentTime) {
    Write w = current.get();
    // Only writes through write() create entries; anything else gets no lifetime at all rather
    // than an unbounded one.
    return w.active ? w.ttlNanos : 0;
  }

  @Override
  public long expireAfterUpdate(String key, FeatureVector value, long currentTime, long currentDuration) {
    Write w = current.get();
    return w.active && w.stored ? w.ttlNanos : currentDuration;
  }

  @Override
  public long expireAfterRead(String key, FeatureVector value, long currentTime, long currentDuration) {
    return currentDuration;
  }
}
