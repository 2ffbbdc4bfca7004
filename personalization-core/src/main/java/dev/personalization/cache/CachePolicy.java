package dev.personalization.cache;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Times to live per {@link FreshnessClass} and the jitter applied to them. Immutable; build with
 * {@link #custom()} or take {@link #ofDefaults()}.
 *
 * <p>Jitter only ever shortens a TTL (by up to {@link #jitter()} of it), so that entries written
 * together do not expire together and no value outlives its class's promise.
 */
public final class CachePolicy {

  /** Default jitter: up to 10% of the TTL is taken off each write. */
  public static final double DEFAULT_JITTER = 0.10;

  private static final CachePolicy DEFAULTS = custom().build();

  private final Map<FreshnessClass, Duration> ttls;
  private final double jitter;

  private CachePolicy(Builder builder) {
    this.ttls = new EnumMap<>(builder.ttls);
    this.jitter = builder.jitter;
  }

  /** STATIC 24 h, DYNAMIC 5 min, REALTIME never cached, 10% jitter. */
  public static CachePolicy ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder custom() {
    return new Builder();
  }

  /** A builder starting from this policy's settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.ttls.putAll(ttls);
    b.jitter = jitter;
    return b;
  }

  /** The configured (un-jittered) TTL of a class; {@link Duration#ZERO} for REALTIME. */
  public Duration ttl(FreshnessClass freshness) {
    return ttls.get(freshness);
  }

  /** The fraction of a TTL that jitter may take off, in {@code [0, 1)}. */
  public double jitter() {
    return jitter;
  }

  /** A TTL for one write: the class's TTL shortened by a random fraction up to {@link #jitter()}. */
  public Duration jitteredTtl(FreshnessClass freshness) {
    Duration base = ttls.get(freshness);
    if (base.isZero() || jitter == 0) {
      return base;
    }
    long nanos = base.toNanos();
    long cut = (long) (nanos * jitter * ThreadLocalRandom.current().nextDouble());
    return Duration.ofNanos(Math.max(1, nanos - cut));
  }

  /** Builds a {@link CachePolicy}. Not thread-safe. */
  public static final class Builder {
    private final Map<FreshnessClass, Duration> ttls = new EnumMap<>(FreshnessClass.class);
    private double jitter = DEFAULT_JITTER;

    private Builder() {
      for (FreshnessClass c : FreshnessClass.values()) {
        ttls.put(c, c.defaultTtl());
      }
    }

    /**
     * Sets the TTL of a cacheable class (defaults: STATIC 24 h, DYNAMIC 5 min).
     *
     * @throws IllegalArgumentException if the TTL is not positive or the class is REALTIME
     */
    public Builder ttl(FreshnessClass freshness, Duration ttl) {
      Objects.requireNonNull(freshness, "freshness");
      Objects.requireNonNull(ttl, "ttl");
      if (!freshness.isCacheable()) {
        throw new IllegalArgumentException("REALTIME values are never cached; they take no TTL");
      }
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("ttl for " + freshness + " must be positive, was " + ttl);
      }
      ttls.put(freshness, ttl);
      return this;
    }

    /**
     * Sets the jitter fraction (default {@value CachePolicy#DEFAULT_JITTER}).
     *
     * @throws IllegalArgumentException unless {@code 0 <= jitter < 1}
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0 && jitter < 1)) {
        throw new IllegalArgumentException("jitter must be in [0, 1), was " + jitter);
      }
      this.jitter = jitter;
      return this;
    }

    public CachePolicy build() {
      return new CachePolicy(this);
    }
  }
}
