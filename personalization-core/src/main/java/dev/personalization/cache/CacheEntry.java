package dev.personalization.cache;

import dev.personalization.feature.FeatureVector;
import java.time.Duration;
import java.util.Objects;

/**
 * One write to a cache tier: a key, its value and how long the tier may keep it.
 *
 * @param key the versioned cache key (see {@link CacheKeys})
 * @param value the value; tiers keep the one with the larger {@link FeatureVector#version()}
 * @param ttl the time to live, already jittered by {@link TieredCache}; positive
 */
public record CacheEntry(String key, FeatureVector value, Duration ttl) {

  public CacheEntry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, was " + ttl + " for key " + key);
    }
  }
}
