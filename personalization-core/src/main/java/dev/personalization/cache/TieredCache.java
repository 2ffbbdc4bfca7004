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
 *   <li><b>Never older after newer.</b> The cache remembers, for a while, the newest version of each
 *       key it wrote through or heard of from an {@link InvalidationBus}; a lower tier's or a load's
 *       value older than that is neither served nor cached (counted as {@code stale}). A fill that
 *       races an invalidation of its key is discarded rather than cached.
 *   <li><b>Cross-instance invalidation.</b> {@link #putAll} and {@link #invalidateAll} publish the
 *       keys (and new versions) on the bus once the tiers are written; fills never publish. What
 *       other instances publish drops this instance's in-process entries that are older, and a
 *       {@linkplain InvalidationBus.Listener#onResync() resync} clears the in-process tiers.
 * </ul>
 *
 * <p>In-process tiers ({@link CacheTier#inProcess()}) at the top are read synchronously on the
 * caller's thread, so an L1 hit costs one map lookup and a counter increment. Thread-safe.
 *
 * <p>Metrics: counter {@code personalization.cache.gets} tagged {@code tier} (a tier name or
 * {@code loader}), {@code freshness} and {@code result} ({@code hit}/{@code miss}); counter
 * {@code personalization.cache.tier.errors} tagged {@code tier}; counters
 * {@code personalization.cache.stale} (values discarded as older than a known version),
 * {@code personalization.cache.fills.discarded} (back-fills skipped or undone because an
 * invalidation raced them), {@code personalization.cache.invalidations.received} and
 * {@code personalization.cache.resyncs}.
 */
public final class TieredCache {

  /** How long a known newest version is remembered for the never-older rule: {@value #FLOOR_RETENTION_SECONDS} s. */
  public static final long FLOOR_RETENTION_SECONDS = 30;
  /** At most this many keys' newest versions are remembered at once. */
  public static final int MAX_FLOOR_KEYS = 100_000;
  /** Keys per bulk read of {@link #warmUp}. */
  public static final int WARM_UP_BATCH = 500;

  private static final System.Logger LOG = System.getLogger(TieredCache.class.getName());

  private final List<CacheTier> tiers;
  private final int inProcessPrefix;
  private final CachePolicy policy;
  /** Key to the future of the batch load that is loading it. */
  private final ConcurrentHashMap<String, CompletableFuture<Map<String, FeatureVector>>> inFlight = new ConcurrentHashMap<>();
  /** hits[level][freshness], levels = tiers then the loader. */
  private final Counter[][] hits;
  private final Counter[][] misses;
  private final Counter[] tierErrors;
  private final InvalidationBus bus;
  /** Bumped by every invalidation, local or remote: guards fills into in-process tiers. */
  private final FillGuard guard = new FillGuard();
  /**
   * Bumped by removals only: guards fills into shared tiers. A remote write needs no guard there,
   * because the shared tier's version rule already keeps the newer value.
   */
  private final FillGuard removalGuard = new FillGuard();
  private final VersionFloors floors = new VersionFloors(java.time.Duration.ofSeconds(FLOOR_RETENTION_SECONDS), MAX_FLOOR_KEYS);
  /**
   * Keys whose removal from a shared tier failed: that tier may still hold the removed value, so
   * its hits for them count as misses here for a while (the tier is expected to repair itself).
   */
  private final VersionFloors sharedSuspects =
      new VersionFloors(java.time.Duration.ofSeconds(FLOOR_RETENTION_SECONDS), MAX_FLOOR_KEYS);
  private final Counter stale;
  private final Counter fillsDiscarded;
  private final Counter invalidationsReceived;
  private final Counter resyncs;

  private TieredCache(List<CacheTier> tiers, CachePolicy policy, MeterRegistry registry, InvalidationBus bus) {
    this.tiers = List.copyOf(tiers);
    this.policy = policy;
    this.bus = bus;
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
    stale = Counter.builder("personalization.cache.stale")
        .description("Values discarded because this instance already knew a newer version").register(registry);
    fillsDiscarded = Counter.builder("personalization.cache.fills.discarded")
        .description("Back-fills skipped or undone because an invalidation raced them").register(registry);
    invalidationsReceived = Counter.builder("personalization.cache.invalidations.received")
        .description("Keys other instances invalidated").register(registry);
    resyncs = Counter.builder("personalization.cache.resyncs")
        .description("Times the in-process tiers were cleared because invalidations may have been lost").register(registry);
    bus.subscribe(new BusListener());
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
    return of(tiers, policy, registry, InvalidationBus.none());
  }

  /**
   * A cache over {@code tiers} that publishes its writes on {@code bus} and applies other
   * instances' invalidations to its in-process tiers. The cache subscribes to the bus at once.
   *
   * @throws IllegalArgumentException if two tiers share a name
   * @throws IllegalStateException if the bus already has a listener
   */
  public static TieredCache of(List<CacheTier> tiers, CachePolicy policy, MeterRegistry registry, InvalidationBus bus) {
    Objects.requireNonNull(tiers, "tiers");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(bus, "bus");
    Set<String> names = new java.util.HashSet<>();
    for (CacheTier t : tiers) {
      if (!names.add(Objects.requireNonNull(t, "tier").name())) {
        throw new IllegalArgumentException("two cache tiers are named '" + t.name() + "'");
      }
    }
    return new TieredCache(tiers, policy, registry, bus);
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
        return CompletableFuture.completedFuture(v.isAbsent() ? null : v);
      }
      misses[0][freshness.ordinal()].increment();
      return getAllBelow(1, List.of(key), freshness, loader).thenApply(m -> m.get(key));
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
    return getAllBelow(0, keys, freshness, loader);
  }

  /**
   * {@link #getAll} for keys that the in-process tiers above {@code firstLevel} have just missed,
   * their misses already counted: those tiers are not read again, so that a tier's own statistics
   * count each lookup once.
   */
  private CompletableFuture<Map<String, FeatureVector>> getAllBelow(
      int firstLevel, Collection<String> keys, FreshnessClass freshness, CacheLoader loader) {
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
    Set<String> missing = readInProcessTiers(firstLevel, keys, freshness, found);
    if (missing.isEmpty()) {
      return CompletableFuture.completedFuture(found);
    }
    return loadShared(missing, freshness, loader, found);
  }

  /**
   * Reads many keys like {@link #getAll}, answering by position: element {@code i} of the result is
   * the value of {@code keys.get(i)}, or {@code null} when there is none. For callers that hold
   * their keys in order (a request's candidates): when the top in-process tier holds every key, the
   * call costs one lookup per key and builds no map. Keys missing there go through
   * {@link #getAll} together, so lower tiers and the loader are still asked once, with single flight.
   *
   * <p>Keys are expected to be distinct; a repeated key is looked up, and counted, at each of its
   * positions.
   *
   * @return a future of an array as long as {@code keys}; completes exceptionally only when the
   *     loader fails
   */
  public CompletableFuture<FeatureVector[]> getAllAligned(
      List<String> keys, FreshnessClass freshness, CacheLoader loader) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(freshness, "freshness");
    Objects.requireNonNull(loader, "loader");
    FeatureVector[] values = new FeatureVector[keys.size()];
    if (!freshness.isCacheable() || inProcessPrefix == 0) {
      return getAll(keys, freshness, loader).thenApply(found -> aligned(keys, found, values, null, keys.size()));
    }
    CacheTier top = tiers.get(0);
    top.getIfPresent(keys, values);
    int[] missingAt = null;
    int missingCount = 0;
    for (int i = 0; i < values.length; i++) {
      FeatureVector v = values[i];
      if (v == null) {
        if (missingAt == null) {
          missingAt = new int[values.length - i];
        }
        missingAt[missingCount++] = i;
      } else if (v.isAbsent()) {
        // A cached "known absent" is a hit whose answer is no value.
        values[i] = null;
      }
    }
    int hitCount = values.length - missingCount;
    if (hitCount > 0) {
      hits[0][freshness.ordinal()].increment(hitCount);
    }
    if (missingCount == 0) {
      return CompletableFuture.completedFuture(values);
    }
    misses[0][freshness.ordinal()].increment(missingCount);
    List<String> missing = new ArrayList<>(missingCount);
    for (int m = 0; m < missingCount; m++) {
      missing.add(keys.get(missingAt[m]));
    }
    int[] at = missingAt;
    int count = missingCount;
    return getAllBelow(1, missing, freshness, loader).thenApply(found -> aligned(keys, found, values, at, count));
  }

  /** Fills the given positions of {@code values} (all of them when {@code at} is null) from {@code found}. */
  private static FeatureVector[] aligned(
      List<String> keys, Map<String, FeatureVector> found, FeatureVector[] values, int[] at, int count) {
    for (int m = 0; m < count; m++) {
      int i = at == null ? m : at[m];
      values[i] = found.get(keys.get(i));
    }
    return values;
  }

  /**
   * Writes values through every tier (write-through after an update), each with the jittered TTL of
   * {@code freshness}, then publishes the keys and versions on the invalidation bus. REALTIME values
   * are not written. From now on this instance serves no version of these keys older than the one
   * written.
   */
  public CompletableFuture<Void> putAll(Map<String, FeatureVector> values, FreshnessClass freshness) {
    if (!freshness.isCacheable() || values.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<Invalidation> published = new ArrayList<>(values.size());
    for (Map.Entry<String, FeatureVector> e : values.entrySet()) {
      floors.raise(e.getKey(), e.getValue().version());
      published.add(Invalidation.written(e.getKey(), e.getValue().version()));
    }
    CompletableFuture<?>[] writes = new CompletableFuture<?>[tiers.size()];
    for (int i = 0; i < tiers.size(); i++) {
      int level = i;
      List<CacheEntry> batch = entries(values, freshness);
      if (tiers.get(i).inProcess()) {
        // Another instance may already have announced a newer version (a write-through can be
        // late): checked as each key is written, so that the older value never lands after the
        // announcement dropped the copy. Shared tiers keep the newer version by themselves.
        writes[i] = safely(level, () -> tiers.get(level).putAllIf(batch,
            k -> values.get(k).version() >= floors.floor(k))).exceptionally(e -> null);
      } else {
        writes[i] = writeSafely(i, batch);
      }
    }
    // Published after the tiers are written, so that an instance that drops its copy on hearing of
    // it finds the new value in the shared tier.
    return CompletableFuture.allOf(writes).thenRun(() -> publish(published));
  }

  /**
   * Removes the keys from every tier, discards loads of them that are in flight, then publishes the
   * removals on the invalidation bus.
   */
  public CompletableFuture<Void> invalidateAll(Collection<String> keys) {
    if (keys.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<Invalidation> published = new ArrayList<>(keys.size());
    for (String k : keys) {
      guard.begin(k);
      removalGuard.begin(k);
      // A load that started before the removal keeps its callers, but no later caller joins it.
      inFlight.remove(k);
      published.add(Invalidation.removed(k));
    }
    CompletableFuture<?>[] calls = new CompletableFuture<?>[tiers.size()];
    for (int i = 0; i < tiers.size(); i++) {
      int level = i;
      boolean shared = !tiers.get(i).inProcess();
      calls[i] = safely(level, () -> tiers.get(level).invalidateAll(keys)).exceptionally(e -> {
        if (shared) {
          for (String k : keys) {
            sharedSuspects.raise(k, 0);
          }
        }
        return null;
      });
    }
    return CompletableFuture.allOf(calls).whenComplete((v, e) -> {
      for (String k : keys) {
        guard.end(k);
        removalGuard.end(k);
      }
    }).thenRun(() -> publish(published));
  }

  /**
   * Loads {@code keys} into the in-process tiers with bulk reads of {@value #WARM_UP_BATCH} keys
   * (lower tiers first, then the loader for what they miss), so that a host can warm its L1 before
   * it reports ready.
   *
   * @return a future of the number of keys found; completes exceptionally only if the loader fails
   */
  public CompletableFuture<Integer> warmUp(Collection<String> keys, FreshnessClass freshness, CacheLoader loader) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(freshness, "freshness");
    Objects.requireNonNull(loader, "loader");
    List<String> all = new ArrayList<>(new LinkedHashSet<>(keys));
    CompletableFuture<Integer> chain = CompletableFuture.completedFuture(0);
    for (int from = 0; from < all.size(); from += WARM_UP_BATCH) {
      List<String> batch = all.subList(from, Math.min(all.size(), from + WARM_UP_BATCH));
      chain = chain.thenCompose(n -> getAll(batch, freshness, loader).thenApply(found -> n + found.size()));
    }
    return chain;
  }

  private void publish(List<Invalidation> invalidations) {
    try {
      bus.publish(invalidations);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "invalidation bus " + bus + " failed to publish", e);
    }
  }

  /** Reads the in-process tiers from {@code firstLevel} down on this thread; returns the keys none of them holds. */
  private Set<String> readInProcessTiers(
      int firstLevel, Collection<String> keys, FreshnessClass freshness, Map<String, FeatureVector> found) {
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
      int level = firstLevel;
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
        // A cached absence answers the key: nothing to return, nothing to load.
        if (!v.isAbsent()) {
          found.put(key, v);
        }
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

  /**
   * Joins loads already in flight and starts one load for the keys nobody is loading. A load is
   * one future for its whole batch: registering 200 keys costs 200 map insertions, not 200
   * futures.
   */
  private CompletableFuture<Map<String, FeatureVector>> loadShared(
      Set<String> missing, FreshnessClass freshness, CacheLoader loader, Map<String, FeatureVector> found) {
    CompletableFuture<Map<String, FeatureVector>> flight = new CompletableFuture<>();
    List<String> mine = new ArrayList<>(missing.size());
    Map<CompletableFuture<Map<String, FeatureVector>>, List<String>> joined = null;
    for (String key : missing) {
      CompletableFuture<Map<String, FeatureVector>> existing = inFlight.putIfAbsent(key, flight);
      if (existing == null) {
        mine.add(key);
      } else {
        if (joined == null) {
          joined = new java.util.IdentityHashMap<>();
        }
        joined.computeIfAbsent(existing, f -> new ArrayList<>()).add(key);
      }
    }
    // A load may have finished between our L1 miss and the registration above: look once more so
    // that it is not repeated. Values found so are part of this flight's answer, for any caller
    // that joined it meanwhile.
    Map<String, FeatureVector> fromL1 = null;
    if (inProcessPrefix > 0 && !mine.isEmpty()) {
      for (var it = mine.iterator(); it.hasNext(); ) {
        String k = it.next();
        FeatureVector v = tiers.get(0).peek(k);
        if (v != null) {
          if (fromL1 == null) {
            fromL1 = new HashMap<>();
          }
          if (!v.isAbsent()) {
            fromL1.put(k, v);
            found.put(k, v);
          }
          it.remove();
        }
      }
    }
    Map<String, FeatureVector> preloaded = fromL1;
    if (mine.isEmpty()) {
      if (preloaded != null) {
        preloaded.keySet().forEach(k -> inFlight.remove(k, flight));
      }
      flight.complete(preloaded == null ? Map.of() : preloaded);
    } else {
      // Taken before any tier is read: an invalidation after this point voids the fill.
      Stamp stamp = new Stamp(guard.start(), removalGuard.start());
      // The list itself: its keys are distinct, and a set copy would hash each key once more.
      readBelow(mine, inProcessPrefix, freshness, loader, stamp).whenComplete((values, error) -> {
        for (String k : mine) {
          inFlight.remove(k, flight);
        }
        if (preloaded != null) {
          preloaded.keySet().forEach(k -> inFlight.remove(k, flight));
        }
        if (error != null) {
          flight.completeExceptionally(error);
        } else if (preloaded == null) {
          flight.complete(values);
        } else {
          Map<String, FeatureVector> all = new HashMap<>(values);
          all.putAll(preloaded);
          flight.complete(all);
        }
      });
    }
    if (joined == null) {
      if (mine.isEmpty()) {
        return CompletableFuture.completedFuture(found);
      }
      return flight.thenApply(values -> {
        putResults(values, mine, found);
        return found;
      });
    }
    Map<CompletableFuture<Map<String, FeatureVector>>, List<String>> others = joined;
    List<CompletableFuture<?>> pending = new ArrayList<>(others.keySet());
    pending.add(flight);
    return CompletableFuture.allOf(pending.toArray(CompletableFuture<?>[]::new)).thenApply(ignored -> {
      putResults(flight.join(), mine, found);
      others.forEach((f, keys) -> putResults(f.join(), keys, found));
      return found;
    });
  }

  /**
   * Collects loaded values, holding each to the newest version known now: while it loaded, a write
   * or another instance's invalidation may have landed, or another read of this instance may have
   * served (and cached in L1) a newer version. The L1 copy is taken when it is newer; a value older
   * than a version this instance knows of is left out.
   */
  private void putResults(Map<String, FeatureVector> values, List<String> keys, Map<String, FeatureVector> found) {
    List<String> behind = null;
    for (String key : keys) {
      FeatureVector v = values.get(key);
      if (v == null) {
        continue;
      }
      FeatureVector held = inProcessPrefix > 0 ? tiers.get(0).peek(key) : null;
      if (held != null && held.version() > v.version()) {
        v = held;
      }
      // This instance is about to serve v: from now on it must not serve anything older. A value
      // read from a lower tier can be newer than a write this instance is still making (another
      // instance wrote it, and its announcement has not arrived yet); the floor, checked and
      // raised in one step, makes that write skip L1, and an older copy already there is dropped.
      if (!floors.admit(key, v.version(), !v.isAbsent())) {
        stale.increment();
        continue;
      }
      if (!v.isAbsent()) {
        if (held != null && held.version() < v.version()) {
          if (behind == null) {
            behind = new ArrayList<>();
          }
          behind.add(key);
        }
      }
      found.put(key, v);
    }
    if (behind != null) {
      List<String> drop = behind;
      safely(0, () -> tiers.get(0).invalidateAll(drop)).exceptionally(e -> null);
    }
  }

  /** Reads tier {@code level} and below for {@code keys}, back-filling the tiers above. */
  private CompletableFuture<Map<String, FeatureVector>> readBelow(
      List<String> keys, int level, FreshnessClass freshness, CacheLoader loader, Stamp stamp) {
    int f = freshness.ordinal();
    if (level == tiers.size()) {
      return loadSafely(loader, new LinkedHashSet<>(keys)).thenApply(loaded -> {
        recordLoaderResults(freshness, keys.size(), loaded.size());
        Map<String, FeatureVector> fresh = withoutStale(loaded, true);
        Map<String, FeatureVector> fill = fresh;
        if (loaded.size() < keys.size()) {
          // Keys the store does not have are cached as absent, so that the next request for them
          // (a user without history, an unknown item) is answered without a store round trip.
          fill = new HashMap<>(fresh);
          for (String k : keys) {
            if (!loaded.containsKey(k)) {
              fill.put(k, FeatureVector.absent());
            }
          }
        }
        backFill(fill, level, freshness, stamp);
        return fresh;
      });
    }
    return safely(level, () -> tiers.get(level).getAll(keys)).exceptionally(e -> Map.of())
        .thenCompose(answered -> {
          // A value older than one this instance knows of counts as a miss: the levels below have
          // the newer one.
          Map<String, FeatureVector> tierHits = withoutStale(withoutSuspects(level, answered), false);
          if (!tierHits.isEmpty()) {
            hits[level][f].increment(tierHits.size());
            backFill(tierHits, level, freshness, stamp);
          }
          Map<String, FeatureVector> result = withoutAbsent(tierHits);
          if (tierHits.size() >= keys.size()) {
            return CompletableFuture.completedFuture(result);
          }
          result = new HashMap<>(result);
          List<String> rest = new ArrayList<>(Math.max(0, keys.size() - tierHits.size()));
          for (String k : keys) {
            if (!tierHits.containsKey(k)) {
              rest.add(k);
            }
          }
          misses[level][f].increment(rest.size());
          Map<String, FeatureVector> upper = result;
          return readBelow(rest, level + 1, freshness, loader, stamp).thenApply(lower -> {
            upper.putAll(lower);
            return upper;
          });
        });
  }

  /** The values without cached-absence markers, which answer a key with "no value". */
  private static Map<String, FeatureVector> withoutAbsent(Map<String, FeatureVector> values) {
    Map<String, FeatureVector> kept = null;
    for (Map.Entry<String, FeatureVector> e : values.entrySet()) {
      if (e.getValue().isAbsent()) {
        if (kept == null) {
          kept = new HashMap<>(values);
        }
        kept.remove(e.getKey());
      }
    }
    return kept == null ? values : kept;
  }

  /** A shared tier's answer without the keys whose removal from it failed. */
  private Map<String, FeatureVector> withoutSuspects(int level, Map<String, FeatureVector> answered) {
    if (sharedSuspects.size() == 0 || answered.isEmpty() || tiers.get(level).inProcess()) {
      return answered;
    }
    Map<String, FeatureVector> kept = null;
    for (String k : answered.keySet()) {
      if (sharedSuspects.floor(k) != VersionFloors.NONE) {
        if (kept == null) {
          kept = new HashMap<>(answered);
        }
        kept.remove(k);
      }
    }
    return kept == null ? answered : kept;
  }

  /**
   * The values not older than a version this instance knows of. With {@code preferL1}, a value
   * that fell behind is replaced by the L1 copy when that one is new enough (a write-through landed
   * there while the value loaded).
   */
  private Map<String, FeatureVector> withoutStale(Map<String, FeatureVector> values, boolean preferL1) {
    if (floors.size() == 0 || values.isEmpty()) {
      return values;
    }
    Map<String, FeatureVector> kept = null;
    for (Map.Entry<String, FeatureVector> e : values.entrySet()) {
      long floor = floors.floor(e.getKey());
      if (e.getValue().version() < floor) {
        if (kept == null) {
          kept = new HashMap<>(values);
        }
        FeatureVector newer = preferL1 && inProcessPrefix > 0 ? tiers.get(0).peek(e.getKey()) : null;
        if (newer != null && newer.version() >= floor) {
          kept.put(e.getKey(), newer);
        } else {
          kept.remove(e.getKey());
          stale.increment();
        }
      }
    }
    return kept == null ? values : kept;
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
    backFill(values, level, freshness, null);
  }

  /** The guards' sequence numbers when a load started. */
  private record Stamp(long any, long removals) {
  }

  /** Whether the key may have been invalidated in a way that voids a fill of {@code tier}. */
  private boolean raced(int tier, String key, Stamp stamp) {
    return tiers.get(tier).inProcess() ? guard.changedSince(key, stamp.any) : removalGuard.changedSince(key, stamp.removals);
  }

  /**
   * Writes values found at {@code level} into every tier above it, except those whose key was
   * invalidated since {@code stamp} was taken. The check is repeated once each write is done and a
   * key invalidated in between is removed again: an invalidation counts as active from before its
   * drops until after them, so either this re-check sees it or its drop comes after the write.
   */
  private void backFill(Map<String, FeatureVector> values, int level, FreshnessClass freshness, Stamp stamp) {
    if (values.isEmpty() || !freshness.isCacheable()) {
      return;
    }
    for (int above = 0; above < level && above < tiers.size(); above++) {
      int tier = above;
      Map<String, FeatureVector> current = values;
      if (stamp != null) {
        // Copied only when something raced, which is rare.
        for (Map.Entry<String, FeatureVector> e : values.entrySet()) {
          if (raced(tier, e.getKey(), stamp)) {
            if (current == values) {
              current = new HashMap<>(values);
            }
            current.remove(e.getKey());
            fillsDiscarded.increment();
          }
        }
        if (current.isEmpty()) {
          continue;
        }
      }
      List<CacheEntry> batch = entries(current, freshness);
      CompletableFuture<Void> write;
      if (stamp != null && tiers.get(tier).inProcess()) {
        // Checked again as each key is written, atomically where the tier supports it.
        write = safely(tier, () -> tiers.get(tier).putAllIf(batch, k -> !raced(tier, k, stamp))).exceptionally(e -> null);
      } else {
        write = safely(tier, () -> tiers.get(tier).putAll(batch)).exceptionally(e -> null);
      }
      if (stamp != null) {
        Set<String> written = current.keySet();
        write.thenRun(() -> undoRacedFills(tier, written, stamp));
      }
    }
  }

  private void undoRacedFills(int level, Set<String> written, Stamp stamp) {
    List<String> raced = null;
    for (String k : written) {
      if (raced(level, k, stamp)) {
        if (raced == null) {
          raced = new ArrayList<>();
        }
        raced.add(k);
      }
    }
    if (raced != null) {
      fillsDiscarded.increment(raced.size());
      List<String> undo = raced;
      safely(level, () -> tiers.get(level).invalidateAll(undo)).exceptionally(e -> null);
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

  /** Applies other instances' invalidations to the in-process tiers. */
  private final class BusListener implements InvalidationBus.Listener {

    @Override
    public void onInvalidations(List<Invalidation> invalidations) {
      invalidationsReceived.increment(invalidations.size());
      // Begun before anything is dropped and ended once the drops are done: see FillGuard.
      for (Invalidation inv : invalidations) {
        guard.begin(inv.key());
        if (inv.isRemoval()) {
          removalGuard.begin(inv.key());
        } else {
          floors.raise(inv.key(), inv.version());
        }
        // A load that started before the change keeps its callers, but no later caller joins it.
        inFlight.remove(inv.key());
      }
      List<CompletableFuture<?>> drops = new ArrayList<>();
      for (int level = 0; level < tiers.size(); level++) {
        CacheTier tier = tiers.get(level);
        if (!tier.inProcess()) {
          // The publisher already wrote or removed the shared copy.
          continue;
        }
        List<String> drop = new ArrayList<>();
        for (Invalidation inv : invalidations) {
          // A copy at least as new as the one announced is kept (this instance may already have
          // read it); dropping it would only cost a miss.
          FeatureVector held = tier.peek(inv.key());
          if (held != null && (inv.isRemoval() || held.version() < inv.version())) {
            drop.add(inv.key());
          }
        }
        if (!drop.isEmpty()) {
          int l = level;
          drops.add(safely(l, () -> tier.invalidateAll(drop)).exceptionally(e -> null));
        }
      }
      CompletableFuture.allOf(drops.toArray(CompletableFuture<?>[]::new)).whenComplete((v, e) -> {
        for (Invalidation inv : invalidations) {
          guard.end(inv.key());
          if (inv.isRemoval()) {
            removalGuard.end(inv.key());
          }
        }
      });
    }

    @Override
    public void onResync() {
      resyncs.increment();
      guard.beginAll();
      removalGuard.beginAll();
      inFlight.clear();
      List<CompletableFuture<?>> clears = new ArrayList<>();
      for (int level = 0; level < tiers.size(); level++) {
        CacheTier tier = tiers.get(level);
        if (tier.inProcess()) {
          int l = level;
          clears.add(safely(l, tier::clear).exceptionally(e -> {
            LOG.log(System.Logger.Level.WARNING, "in-process tier '" + tier.name()
                + "' could not be cleared after lost invalidations; its entries may be stale until they expire", e);
            return null;
          }));
        }
      }
      CompletableFuture.allOf(clears.toArray(CompletableFuture<?>[]::new)).whenComplete((v, e) -> {
        guard.endAll();
        removalGuard.endAll();
      });
    }
  }

}
