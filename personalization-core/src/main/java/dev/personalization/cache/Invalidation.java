package dev.personalization.cache;

import java.util.Objects;

/**
 * One change to a cached key, as carried by an {@link InvalidationBus}: either a write of a new
 * value version, or a removal without a version.
 *
 * @param key the cache key
 * @param version the {@link dev.personalization.feature.FeatureVector#version()} just written, or
 *     {@link #REMOVED} when the key was dropped without a new value
 */
public record Invalidation(String key, long version) {

  /** The version of an invalidation that removed a key rather than writing a new value. */
  public static final long REMOVED = -1;

  public Invalidation {
    Objects.requireNonNull(key, "key");
    if (version < REMOVED) {
      throw new IllegalArgumentException("version must be >= 0 or REMOVED (-1), was " + version + " for key " + key);
    }
  }

  /** A write of {@code version} under {@code key}. */
  public static Invalidation written(String key, long version) {
    if (version < 0) {
      throw new IllegalArgumentException("a written version must be >= 0, was " + version + " for key " + key);
    }
    return new Invalidation(key, version);
  }

  /** A removal of {@code key}. */
  public static Invalidation removed(String key) {
    return new Invalidation(key, REMOVED);
  }

  /** Whether the key was removed rather than written. */
  public boolean isRemoval() {
    return version == REMOVED;
  }
}
