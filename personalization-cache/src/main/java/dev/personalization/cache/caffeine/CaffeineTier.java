package dev.personalization.cache.caffeine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.CacheTier;
import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * TEMPORARY stand-in for the Caffeine L1 tier being written on the {@code cache-tier} branch, so that
 * the quickstart demo and the benchmarks compile and run before it is merged. Same builder shape:
 * {@code CaffeineTier.builder().name("l1").maximumEntries(n).meterRegistry(registry).build()}.
 * Drop this commit when the real tier lands.
 *
 * <p>Bounded by entry count; each entry expires after its own {@link CacheEntry#ttl()}; a put never
 * replaces a value with a larger {@link FeatureVector#version()}. Reads never block. Thread-safe.
 */
public final class CaffeineTier implements CacheTier {

  /** Tier name used when none is set. */
  public static final String DEFAULT_NAME = "l1";
  /** Entry bound used when none is set. */
  public static final long DEFAULT_MAXIMUM_ENTRIES = 100_000;

  private final String name;
  private final Cache<String, Held> cache;

  private CaffeineTier(Builder b) {
    this.name = b.name;
    Ticker ticker = Ticker.systemTicker();
    this.cache = Caffeine.newBuilder()
        .maximumSize(b.maximumEntries)
        .ticker(ticker)
        .expireAfter(new DeadlineExpiry())
        .build();
    if (b.registry != null) {
      Gauge.builder("personalization.cache.size", cache, Cache::estimatedSize)
          .description("Entries held by an in-process cache tier")
          .tag("tier", name)
          .register(b.registry);
    }
  }

  /** A builder with the defaults: name {@value #DEFAULT_NAME}, {@value #DEFAULT_MAXIMUM_ENTRIES} entries. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean inProcess() {
    return true;
  }

  @Override
  public FeatureVector getIfPresent(String key) {
    Held h = cache.getIfPresent(key);
    return h == null ? null : h.value;
  }

  @Override
  public CompletableFuture<Map<String, FeatureVector>> getAll(Collection<String> keys) {
    Map<String, FeatureVector> found = new HashMap<>(Math.max(4, keys.size() * 2));
    for (String key : keys) {
      Held h = cache.getIfPresent(key);
      if (h != null) {
        found.put(key, h.value);
      }
    }
    return CompletableFuture.completedFuture(found);
  }

  @Override
  public CompletableFuture<Void> putAll(Collection<CacheEntry> entries) {
    long now = System.nanoTime();
    for (CacheEntry e : entries) {
      Held next = new Held(e.value(), now + e.ttl().toNanos());
      // Keep whichever version is newer; a kept entry keeps its own deadline too.
      cache.asMap().merge(e.key(), next, (old, fresh) -> old.value.version() > fresh.value.version() ? old : fresh);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> invalidateAll(Collection<String> keys) {
    cache.invalidateAll(keys);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void close() {
    cache.invalidateAll();
    cache.cleanUp();
  }

  @Override
  public String toString() {
    return "CaffeineTier{" + name + ", entries=" + cache.estimatedSize() + "}";
  }

  /** A cached value and the {@link System#nanoTime()} at which it expires. */
  private static final class Held {
    final FeatureVector value;
    final long expiresAtNanos;

    Held(FeatureVector value, long expiresAtNanos) {
      this.value = value;
      this.expiresAtNanos = expiresAtNanos;
    }
  }

  /** Expires each entry at its own deadline, whether it was created, replaced or kept. */
  private static final class DeadlineExpiry implements Expiry<String, Held> {
    @Override
    public long expireAfterCreate(String key, Held value, long currentTime) {
      return Math.max(0, value.expiresAtNanos - currentTime);
    }

    @Override
    public long expireAfterUpdate(String key, Held value, long currentTime, long currentDuration) {
      return Math.max(0, value.expiresAtNanos - currentTime);
    }

    @Override
    public long expireAfterRead(String key, Held value, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  /** Configures a {@link CaffeineTier}. Not thread-safe. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private long maximumEntries = DEFAULT_MAXIMUM_ENTRIES;
    private MeterRegistry registry;

    private Builder() {
    }

    /** The tier's name in metrics (default {@value CaffeineTier#DEFAULT_NAME}). */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /** The most entries held (default {@value CaffeineTier#DEFAULT_MAXIMUM_ENTRIES}). */
    public Builder maximumEntries(long maximumEntries) {
      if (maximumEntries < 1) {
        throw new IllegalArgumentException("maximumEntries must be >= 1, was " + maximumEntries);
      }
      this.maximumEntries = maximumEntries;
      return this;
    }

    /** Where the tier's size gauge is registered (default: none). */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /** The tier; typed as the SPI, as the real builder returns it. */
    public CacheTier build() {
      return new CaffeineTier(this);
    }
  }
}
