package dev.personalization.cache;

import java.time.Duration;

/**
 * How long a cached feature value may be served after it was written. The defaults follow the
 * performance guide; {@link CachePolicy} overrides them per engine.
 */
public enum FreshnessClass {
  /** Slowly changing features (profile, item attributes): cached for 24 hours by default. */
  STATIC(Duration.ofHours(24)),
  /** Behavioural features (counters, affinities): cached for 5 minutes by default. */
  DYNAMIC(Duration.ofMinutes(5)),
  /** Computed for each request and never cached. */
  REALTIME(Duration.ZERO);

  private final Duration defaultTtl;

  FreshnessClass(Duration defaultTtl) {
    this.defaultTtl = defaultTtl;
  }

  /** The time to live used when the {@link CachePolicy} does not override it. */
  public Duration defaultTtl() {
    return defaultTtl;
  }

  /** Whether values of this class are ever written to a cache tier. */
  public boolean isCacheable() {
    return this != REALTIME;
  }
}
