package dev.personalization.cache.caffeine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.CacheTier;
import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** The tier {@link CaffeineTier.Builder#build()} returns; see {@link CaffeineTier} for its behaviour. */
final class CaffeineCacheTier implements CacheTier {


  private final String name;
  private final Cache<String, FeatureVector> cache;
  private final VectorExpiry expiry = new VectorExpiry();
  private final String bound;
  private final MeterRegistry meterRegistry;
  private final List<Meter> meters;
  private final AtomicBoolean closed = new AtomicBoolean();

  CaffeineCacheTier(String name, boolean byBytes, long bound, Ticker ticker, MeterRegistry meterRegistry) {
    this.name = name;
    this.bound = (byBytes ? "maximumBytes=" : "maximumEntries=") + bound;
    this.meterRegistry = meterRegistry;
    Caffeine<String, FeatureVector> builder = Caffeine.newBuilder()
        // Maintenance (expiry, eviction) on the writing thread, not ForkJoinPool.commonPool(): no
        // static pool on the request path, and a bulk back-fill does not wait for a busy pool.
        .executor(Runnable::run)
        .ticker(ticker)
        .recordStats()
        .expireAfter(expiry);
    if (byBytes) {
      builder.maximumWeight(bound).weigher(CaffeineCacheTier::weigh);
    } else {
      builder.maximumSize(bound);
    }
    this.cache = builder.build();
    this.meters = meterRegistry == null ? List.of() : bindMetrics(meterRegistry);
  }

  /**
   * Binds Caffeine's statistics and returns the meters that binding added, so that {@link #close()}
   * removes exactly those. Without the removal a tier built later with the same name and registry
   * would find these meters already registered, and they would keep reporting the closed cache.
   */
  private List<Meter> bindMetrics(MeterRegistry registry) {
    Set<Meter.Id> before = new HashSet<>();
    for (Meter m : registry.getMeters()) {
      before.add(m.getId());
    }
    CaffeineCacheMetrics.monitor(registry, cache, name);
    return registry.getMeters().stream().filter(m -> !before.contains(m.getId())).toList();
  }

  private static int weigh(String key, FeatureVector value) {
    long bytes = (long) value.estimatedBytes() + (long) Character.BYTES * key.length();
    // Caffeine weights are ints; no realistic entry comes near the limit, but saturate rather than wrap.
    return (int) Math.min(Integer.MAX_VALUE, bytes);
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
    return cache.getIfPresent(key);
  }

  @Override
  public CompletableFuture<Map<String, FeatureVector>> getAll(Collection<String> keys) {
    Objects.requireNonNull(keys, "keys");
    if (keys.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    return CompletableFuture.completedFuture(cache.getAllPresent(keys));
  }

  @Override
  public CompletableFuture<Void> putAll(Collection<CacheEntry> entries) {
    Objects.requireNonNull(entries, "entries");
    for (CacheEntry e : entries) {
      FeatureVector incoming = e.value();
      // One atomic compute per key, so concurrent writers cannot interleave a check and a put.
      expiry.write(cache, e.key(), saturatedNanos(e.ttl()), (k, held) -> newer(held, incoming));
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Checks {@code stillValid} inside the per-key atomic section of the write. */
  @Override
  public CompletableFuture<Void> putAllIf(Collection<CacheEntry> entries, java.util.function.Predicate<String> stillValid) {
    Objects.requireNonNull(entries, "entries");
    Objects.requireNonNull(stillValid, "stillValid");
    for (CacheEntry e : entries) {
      FeatureVector incoming = e.value();
      expiry.write(cache, e.key(), saturatedNanos(e.ttl()), (k, held) -> stillValid.test(k) ? newer(held, incoming) : held);
    }
    return CompletableFuture.completedFuture(null);
  }

  /** The SPI's version rule: the held value stays unless the incoming one is at least as new. */
  private static FeatureVector newer(FeatureVector held, FeatureVector incoming) {
    return held != null && held.version() > incoming.version() ? held : incoming;
  }

  /** Duration.toNanos throws beyond ~292 years; such a TTL means "as long as Caffeine allows". */
  private static long saturatedNanos(Duration ttl) {
    try {
      return ttl.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  @Override
  public CompletableFuture<Void> invalidateAll(Collection<String> keys) {
    Objects.requireNonNull(keys, "keys");
    // Guarded because Cache.invalidateAll() without arguments would clear everything.
    if (!keys.isEmpty()) {
      cache.invalidateAll(keys);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> clear() {
    cache.invalidateAll();
    return CompletableFuture.completedFuture(null);
  }

  /** Empties the cache and removes the meters this tier registered; a second close does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Meter m : meters) {
      meterRegistry.remove(m);
    }
    cache.invalidateAll();
    cache.cleanUp();
  }

  /** The underlying cache, for tests in this package that need {@code cleanUp()} or its policy. */
  Cache<String, FeatureVector> caffeine() {
    return cache;
  }

  @Override
  public String toString() {
    return "CaffeineTier{name=" + name + ", " + bound + "}";
  }
}
