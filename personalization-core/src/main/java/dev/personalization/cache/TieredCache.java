package dev.personalization.cache;

import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read-through over any number of {@link CacheTier}s (L1 first) and a {@link CacheLoader}.
 *
 * <ul>
 *   <li><b>Bulk end to end.</b> {@link #getAll} reads each tier once for all keys still missing and
 *       calls the loader once for the rest.
 *   <li><b>Back-fill.</b> A value found in a lower tier or loaded is written to every tier above it,
 *       with the TTL of its {@link FreshnessClass} (jittered by the {@link CachePolicy}).
 *   <li><b>Stampede protection.</b> At most one load per key is in flight across all tiers below the
 *       in-process ones: concurrent callers missing the same key share one future.
 *   <li><b>Fail soft.</b> A tier that fails counts as a miss for that call; only a loader failure
 *       reaches the caller.
 *   <li><b>REALTIME</b> values skip every tier and are always loaded.
 * </ul>
 *
 * <p>In-process tiers ({@link CacheTier#inProcess()}) at the top are read synchronously on the
 * caller's thread, so an L1 hit costs one map lookup and a counter increment. Thread-safe.
 *
 * <p>Metrics: counter {@code personalization.cache.gets} tagged {@code tier} (a tier name or
 * {@code loader}), {@code freshness} and {@code result} ({@code hit}/{@code miss}); counter
 * {@code personalization.cache.tier.errors} tagged {@code tier}.
 */
public final class TieredCache {

  private final List<CacheTier> tiers;
  private final int inProcessPrefix;
  private final CachePolicy policy;
  private final ConcurrentHashMap<String, CompletableFuture<FeatureVector>> inFlight = new ConcurrentHashMap<>();
  /** hits[level][freshness], levels = tiers then the loader. */
  private final Counter[][] hits;
  private final Counter[][] misses;
  private final Counter[] tierErrors;

  private TieredCache(List<CacheTier> tiers, CachePolicy policy, MeterRegistry registry) {
    this.tiers = List.copyOf(tiers);
    this.policy = policy;
    int prefix = 0;
    while (prefix < this.tiers.size() && this.tiers.get(prefix).inProcess()) {
      prefix++;
    }
    this.inProcessPrefix = prefix;
    int levels = this.tiers.size() + 1;
    FreshnessClass[] classes = FreshnessClass.values();
    hits = new Counter[levels][classes.length];
    misses = new Counter[levels][classes.length];
    tierErrors = new Counter[this.tiers.size()];
    for (int level = 0; level < levels; level++) {
      String tier = level < this.tiers.size() ? this.tiers.get(level).name() : "loader";
      for (FreshnessClass c : classes) {
        String freshness = c.name().toLowerCase(java.util.Locale.ROOT);
        hits[level][c.ordinal()] = Counter.builder("personalization.cache.gets")
            .description("Cache lookups by tier, freshness class and result")
            .tags("tier", tier, "freshness", freshness, "result", "hit").register(registry);
        misses[level][c.ordinal()] = Counter.builder("personalization.cache.gets")
            .description("Cache lookups by tier, freshness class and result")
            .tags("tier", tier, "freshness", freshness, "result", "miss").register(registry);
      }
      if (level < this.tiers.size()) {
        tierErrors[level] = Counter.builder("personalization.cache.tier.errors")
            .description("Tier calls that failed and were treated as misses")
            .tag("tier", tier).register(registry);
      }
    }
  }

  /**
   * A cache over {@code tiers}, top (fastest) first.
   *
   * @param tiers the tiers, L1 first; may be empty (then every lookup goes to the loader)
   * @param policy TTLs per freshness class and their jitter
   * @param registry where hit/miss counters are registered
   * @throws IllegalArgumentException if two tiers share a name
   */
  public static TieredCache of(List<CacheTier> tiers, CachePolicy policy, MeterRegistry registry) {
    Objects.requireNonNull(tiers, "tiers");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(registry, "registry");
    Set<String> names = new java.util.HashSet<>();
    for (CacheTier t : tiers) {
      if (!names.add(Objects.requireNonNull(t, "tier").name())) {
        throw new IllegalArgumentException("two cache tiers are named '" + t.name() + "'");
      }
    }
    return new TieredCache(tiers, policy, registry);
  }

  /** A cache over {@code tiers} with default TTLs and metrics kept in a private registry. */
  public static TieredCache of(List<CacheTier> tiers) {
    return of(tiers, CachePolicy.ofDefaults(), new SimpleMeterRegistry());
  }

  /** The tiers, top first. */
  public List<CacheTier> tiers() {
    return tiers;
  }

  /** The TTL policy. */
  public CachePolicy policy() {
    return policy;
  }

  /**
   * Reads one key through the tiers and the loader.
   *
   * @return a future of the value, completing with {@code null} when neither a tier nor the loader
   *     has one
   */
  public CompletableFuture<FeatureVector> get(String key, FreshnessClass freshness, CacheLoader loader) {
    if (freshness.isCacheable() && inProcessPrefix > 0) {
      FeatureVector v = tiers.get(0).getIfPresent(key);
      if (v != null) {
        hits[0][freshness.ordinal()].increment();
        return CompletableFuture.completedFuture(v);
      }
    }
    return getAll(List.of(key), freshness, loader).thenApply(m -> m.get(key));
  }

  /**
   * Reads many keys: each tier once for the keys still missing, then one loader call.
   *
   * @param keys the cache keys; duplicates are looked up once
   * @param freshness the class of every key in this call (it picks TTLs and metric tags)
   * @param loader loads what no tier holds
   * @return a future of the values found, keyed by cache key; completes exceptionally only when the
   *     loader fails
   */
  public CompletableFuture<Map<String, FeatureVector>> getAll(
      Collection<String> keys, FreshnessClass freshness, CacheLoader loader) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(freshness, "freshness");
    Objects.requireNonNull(loader, "loader");
    Map<String, FeatureVector> found = new HashMap<>(keys.size() * 2);
    if (keys.isEmpty()) {
      return CompletableFuture.completedFuture(found);
    }
    if (!freshness.isCacheable()) {
      Set<String> all = new LinkedHashSet<>(keys);
      return loadSafely(loader, all).thenApply(loaded -> {
        recordLoaderResults(freshness, all.size(), loaded.size());
        return loaded;
      });
    }
    Set<String> missing = readInProcessTiers(keys, freshness, found);
    if (missing.isEmpty()) {
      return CompletableFuture.completedFuture(found);
    }
    return loadShared(missing, freshness, loader, found);
  }

  /**
   * Writes values through every tier (write-through after an update), each with the jittered TTL of
   * {@code freshness}. REALTIME values are not written.
   */
  public CompletableFuture<Void> putAll(Map<String, FeatureVector> values, FreshnessClass freshness) {
    if (!freshness.isCacheable() || values.isEmpty() || tiers.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<?>[] writes = new CompletableFuture<?>[tiers.size()];
    for (int i = 0; i < tiers.size(); i++) {
      writes[i] = writeSafely(i, entries(values, freshness));
    }
    return CompletableFuture.allOf(writes);
  }

  /** Removes the keys from every tier. */
  public CompletableFuture<Void> invalidateAll(Collection<String> keys) {
    if (keys.isEmpty() || tiers.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<?>[] calls = new CompletableFuture<?>[tiers.size()];
    for (int i = 0; i < tiers.size(); i++) {
      int level = i;
      calls[i] = safely(level, () -> tiers.get(level).invalidateAll(keys));
    }
    return CompletableFuture.allOf(calls);
  }

  /** Reads the in-process tiers on this thread; returns the keys none of them holds. */
  private Set<String> readInProcessTiers(Collection<String> keys, FreshnessClass freshness, Map<String, FeatureVector> found) {
    Set<String> missing = new LinkedHashSet<>();
    int f = freshness.ordinal();
    // Counted locally and added once per call: 200 keys cost two counter updates, not 200.
    int[] levelHits = new int[inProcessPrefix];
    int[] levelMisses = new int[inProcessPrefix];
    for (String key : keys) {
      // A duplicate is looked up (and counted) once, as getAll promises.
      if (found.containsKey(key) || missing.contains(key)) {
        continue;
      }
      FeatureVector v = null;
      int level = 0;
      for (; level < inProcessPrefix; level++) {
        v = tiers.get(level).getIfPresent(key);
        if (v != null) {
          levelHits[level]++;
          break;
        }
        levelMisses[level]++;
      }
      if (v == null) {
        missing.add(key);
      } else {
        found.put(key, v);
        if (level > 0) {
          backFill(Map.of(key, v), level, freshness);
        }
      }
    }
    for (int level = 0; level < inProcessPrefix; level++) {
      if (levelHits[level] > 0) {
        hits[level][f].increment(levelHits[level]);
      }
      if (levelMisses[level] > 0) {
        misses[level][f].increment(levelMisses[level]);
      }
    }
    return missing;
  }

  /** Joins loads already in flight and starts one load for the keys nobody is loading. */
  private CompletableFuture<Map<String, FeatureVector>> loadShared(
      Set<String> missing, FreshnessClass freshness, CacheLoader loader, Map<String, FeatureVector> found) {
    Map<String, CompletableFuture<FeatureVector>> joined = new HashMap<>();
    Map<String, CompletableFuture<FeatureVector>> mine = new HashMap<>();
    for (String key : missing) {
      CompletableFuture<FeatureVector> flight = new CompletableFuture<>();
      CompletableFuture<FeatureVector> existing = inFlight.putIfAbsent(key, flight);
      if (existing != null) {
        joined.put(key, existing);
      } else {
        mine.put(key, flight);
      }
    }
    // A load may have finished between our L1 miss and the registration above: look once more so
    // that it is not repeated.
    if (inProcessPrefix > 0 && !mine.isEmpty()) {
      for (var it = mine.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        FeatureVector v = tiers.get(0).getIfPresent(e.getKey());
        if (v != null) {
          inFlight.remove(e.getKey(), e.getValue());
          e.getValue().complete(v);
          found.put(e.getKey(), v);
          it.remove();
        }
      }
    }
    if (!mine.isEmpty()) {
      Set<String> keys = new LinkedHashSet<>(mine.keySet());
      readBelow(keys, inProcessPrefix, freshness, loader).whenComplete((values, error) -> {
        for (Map.Entry<String, CompletableFuture<FeatureVector>> e : mine.entrySet()) {
          inFlight.remove(e.getKey(), e.getValue());
          if (error != null) {
            e.getValue().completeExceptionally(error);
          } else {
            e.getValue().complete(values.get(e.getKey()));
          }
        }
      });
    }
    List<CompletableFuture<FeatureVector>> pending = new ArrayList<>(joined.size() + mine.size());
    pending.addAll(joined.values());
    pending.addAll(mine.values());
    return CompletableFuture.allOf(pending.toArray(CompletableFuture<?>[]::new)).thenApply(ignored -> {
      putResults(joined, found);
      putResults(mine, found);
      return found;
    });
  }

  private static void putResults(Map<String, CompletableFuture<FeatureVector>> futures, Map<String, FeatureVector> found) {
    for (Map.Entry<String, CompletableFuture<FeatureVector>> e : futures.entrySet()) {
      FeatureVector v = e.getValue().join();
      if (v != null) {
        found.put(e.getKey(), v);
      }
    }
  }

  /** Reads tier {@code level} and below for {@code keys}, back-filling the tiers above. */
  private CompletableFuture<Map<String, FeatureVector>> readBelow(
      Set<String> keys, int level, FreshnessClass freshness, CacheLoader loader) {
    int f = freshness.ordinal();
    if (level == tiers.size()) {
      return loadSafely(loader, keys).thenApply(loaded -> {
        recordLoaderResults(freshness, keys.size(), loaded.size());
        backFill(loaded, level, freshness);
        return loaded;
      });
    }
    return safely(level, () -> tiers.get(level).getAll(keys)).exceptionally(e -> Map.of())
        .thenCompose(tierHits -> {
          Map<String, FeatureVector> result = new HashMap<>(tierHits);
          if (!tierHits.isEmpty()) {
            hits[level][f].increment(tierHits.size());
            backFill(tierHits, level, freshness);
          }
          if (tierHits.size() >= keys.size()) {
            return CompletableFuture.completedFuture(result);
          }
          Set<String> rest = new LinkedHashSet<>();
          for (String k : keys) {
            if (!tierHits.containsKey(k)) {
              rest.add(k);
            }
          }
          misses[level][f].increment(rest.size());
          return readBelow(rest, level + 1, freshness, loader).thenApply(lower -> {
            result.putAll(lower);
            return result;
          });
        });
  }

  /**
   * Calls the loader, turning a thrown exception or a null future into a failed future. Without this
   * a throwing loader would escape {@link #getAll} and leave its keys registered in flight forever,
   * so every later caller of those keys would wait on a future nobody completes.
   */
  private static CompletableFuture<Map<String, FeatureVector>> loadSafely(CacheLoader loader, Set<String> keys) {
    try {
      return Objects.requireNonNull(loader.loadAll(keys), "loader returned a null future");
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void recordLoaderResults(FreshnessClass freshness, int asked, int loaded) {
    int level = tiers.size();
    hits[level][freshness.ordinal()].increment(loaded);
    misses[level][freshness.ordinal()].increment(asked - loaded);
  }

  /** Writes values found at {@code level} into every tier above it; failures only cost a metric. */
  private void backFill(Map<String, FeatureVector> values, int level, FreshnessClass freshness) {
    if (values.isEmpty() || !freshness.isCacheable()) {
      return;
    }
    for (int above = 0; above < level && above < tiers.size(); above++) {
      writeSafely(above, entries(values, freshness));
    }
  }

  private List<CacheEntry> entries(Map<String, FeatureVector> values, FreshnessClass freshness) {
    List<CacheEntry> entries = new ArrayList<>(values.size());
    for (Map.Entry<String, FeatureVector> e : values.entrySet()) {
      entries.add(new CacheEntry(e.getKey(), e.getValue(), policy.jitteredTtl(freshness)));
    }
    return entries;
  }

  private CompletableFuture<Void> writeSafely(int level, List<CacheEntry> entries) {
    return safely(level, () -> tiers.get(level).putAll(entries)).exceptionally(e -> null);
  }

  /** Runs a tier call, turning a thrown exception into a failed future and counting failures. */
  private <T> CompletableFuture<T> safely(int level, java.util.function.Supplier<CompletableFuture<T>> call) {
    CompletableFuture<T> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.whenComplete((v, e) -> {
      if (e != null) {
        tierErrors[level].increment();
      }
    });
  }
}
