package dev.personalization.cache.caffeine;

import com.github.benmanes.caffeine.cache.Expiry;

/**
 * Expires each entry at its own deadline: write time plus the TTL carried by the
 * {@link StoredVector}. Reads do not extend it.
 *
 * <p>An update computes the deadline from the value that ends up in the map. When a merge keeps the
 * held value (the write was older), Caffeine still calls {@link #expireAfterUpdate} with that held
 * value, and the answer is its unchanged remaining time, so a rejected write cannot prolong a value.
 */
final class VectorExpiry implements Expiry<String, StoredVector> {

  @Override
  public long expireAfterCreate(String key, StoredVector value, long currentTime) {
    return value.remainingNanos(currentTime);
  }

  @Override
  public long expireAfterUpdate(String key, StoredVector value, long currentTime, long currentDuration) {
    return value.remainingNanos(currentTime);
  }

  @Override
  public long expireAfterRead(String key, StoredVector value, long currentTime, long currentDuration) {
    return currentDuration;
  }
}
