package dev.personalization.cache.caffeine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.CacheTier;
import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/** The tier {@link CaffeineTier.Builder#build()} returns; see {@link CaffeineTier} for its behaviour. */
final class CaffeineCacheTier implements CacheTier {


  private final String name;
  private final Cache<String, StoredVector> cache;
  private final Policy<String, StoredVector> policy;
  /** Caffeine's statistics, also fed by the reads this tier makes without telling the policy. */
  private final ConcurrentStatsCounter stats = new ConcurrentStatsCounter();
  private final int readSampling;
  private final Ticker ticker;
  private final String bound;
  private final MeterRegistry meterRegistry;
  private final List<Meter> meters;
  private final AtomicBoolean closed = new AtomicBoolean();

  CaffeineCacheTier(String name, boolean byBytes, long bound, int readSampling, Ticker ticker,
      MeterRegistry meterRegistry) {
    this.name = name;
    this.readSampling = readSampling;
    this.ticker = ticker;
    this.bound = (byBytes ? "maximumBytes=" : "maximumEntries=") + bound;
    this.meterRegistry = meterRegistry;
    // No Caffeine expiry policy: each entry's deadline is checked on read (see StoredVector for
    // why), and an expired entry is removed when it is found or evicted by the bound.
    Caffeine<Object, Object> builder = Caffeine.newBuilder()
        // Maintenance (eviction) on the writing thread, not ForkJoinPool.commonPool(): no static
        // pool on the request path, and a bulk back-fill does not wait for a busy pool.
        .executor(Runnable::run)
        .ticker(ticker)
        .recordStats(() -> stats);
    this.cache = byBytes
        ? builder.maximumWeight(bound).weigher(CaffeineCacheTier::weigh).build()
        : builder.maximumSize(bound).<String, StoredVector>build();
    this.policy = cache.policy();
    this.meters = meterRegistry == null ? List.of() : bindMetrics(meterRegistry);
  }

  /**
   * One read. Only one read in {@link #readSampling}, drawn at random, is reported to Caffeine's
   * eviction policy; the others read the map quietly and only count in the statistics. Reporting a
   * read costs far more than the read: Caffeine queues it, and whichever thread drains the queue
   * moves the entry in its LRU lists and bumps its count in the frequency sketch. Both write to
   * memory that every other reader of a popular key shares, and a request reads 200 such keys. The
   * policy only needs relative frequencies and a rough recency, which a random sample keeps (it
   * already drops reads when its queue is full). The sample is random rather than every n-th read so
   * that a request reading the same 200 keys in the same order cannot hide some of them forever.
   */
  private StoredVector read(String key) {
    if (reported()) {
      return cache.getIfPresent(key);
    }
    StoredVector stored = policy.getIfPresentQuietly(key);
    if (stored == null) {
      stats.recordMisses(1);
    } else {
      stats.recordHits(1);
    }
    return stored;
  }

  private boolean reported() {
    return readSampling == 1 || ThreadLocalRandom.current().nextInt(readSampling) == 0;
  }

  /**
   * The batch form of {@link #getIfPresent(String)}: the quiet reads' statistics are added once for
   * the batch. An atomic add per key would cost more than it seems: besides the add, each one is a
   * full fence, so the processor cannot overlap one key's memory misses with the next key's.
   */
  @Override
  public void getIfPresent(List<String> keys, FeatureVector[] into) {
    long now = ticker.read();
    int quietHits = 0;
    int quietMisses = 0;
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      StoredVector stored;
      if (reported()) {
        stored = cache.getIfPresent(key);
      } else {
        stored = policy.getIfPresentQuietly(key);
        if (stored == null) {
          quietMisses++;
        } else {
          quietHits++;
        }
      }
      if (stored != null && stored.expiredAt(now)) {
        cache.asMap().remove(key, stored);
        stored = null;
      }
      into[i] = stored == null ? null : stored.vector();
    }
    if (quietHits > 0) {
      stats.recordHits(quietHits);
    }
    if (quietMisses > 0) {
      stats.recordMisses(quietMisses);
    }
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

  private static int weigh(String key, StoredVector value) {
    long bytes = (long) value.vector().estimatedBytes() + (long) Character.BYTES * key.length();
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
    StoredVector stored = read(key);
    if (stored == null) {
      return null;
    }
    if (stored.expiredAt(ticker.read())) {
      cache.asMap().remove(key, stored);
      return null;
    }
    return stored.vector();
  }

  /** A quiet read: neither the statistics nor the eviction policy see it. */
  @Override
  public FeatureVector peek(String key) {
    StoredVector stored = policy.getIfPresentQuietly(key);
    return stored == null || stored.expiredAt(ticker.read()) ? null : stored.vector();
  }

  @Override
  public CompletableFuture<Map<String, FeatureVector>> getAll(Collection<String> keys) {
    Objects.requireNonNull(keys, "keys");
    if (keys.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    long now = ticker.read();
    Map<String, FeatureVector> found = new HashMap<>(keys.size() * 2);
    for (String key : keys) {
      StoredVector stored = read(Objects.requireNonNull(key, "key"));
      if (stored == null) {
        continue;
      }
      if (stored.expiredAt(now)) {
        cache.asMap().remove(key, stored);
      } else {
        found.put(key, stored.vector());
      }
    }
    return CompletableFuture.completedFuture(found);
  }

  @Override
  public CompletableFuture<Void> putAll(Collection<CacheEntry> entries) {
    Objects.requireNonNull(entries, "entries");
    long now = ticker.read();
    for (CacheEntry e : entries) {
      StoredVector incoming = StoredVector.of(e.value(), now, saturatedNanos(e.ttl()));
      // One atomic compute per key, so concurrent writers cannot interleave a check and a put.
      cache.asMap().compute(e.key(), (k, held) -> newer(held, incoming, now));
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Checks {@code stillValid} inside the per-key atomic section of the write. */
  @Override
  public CompletableFuture<Void> putAllIf(Collection<CacheEntry> entries, java.util.function.Predicate<String> stillValid) {
    Objects.requireNonNull(entries, "entries");
    Objects.requireNonNull(stillValid, "stillValid");
    long now = ticker.read();
    for (CacheEntry e : entries) {
      StoredVector incoming = StoredVector.of(e.value(), now, saturatedNanos(e.ttl()));
      cache.asMap().compute(e.key(), (k, held) -> stillValid.test(k) ? newer(held, incoming, now) : held);
    }
    return CompletableFuture.completedFuture(null);
  }

  /**
   * The SPI's version rule: a live held value stays unless the incoming one is at least as new. A
   * kept value keeps its deadline, so a rejected write cannot prolong it; an expired one is gone.
   */
  private static StoredVector newer(StoredVector held, StoredVector incoming, long now) {
    if (held == null || held.expiredAt(now)) {
      return incoming;
    }
    return held.vector().version() > incoming.vector().version() ? held : incoming;
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
  Cache<String, StoredVector> caffeine() {
    return cache;
  }

  @Override
  public String toString() {
    return "CaffeineTier{name=" + name + ", " + bound + "}";
  }
}
