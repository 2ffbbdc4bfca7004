package dev.personalization.cache;

import dev.personalization.feature.FeatureVector;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One level of the cache hierarchy (in-process, Redis, ...), composed by {@link TieredCache}.
 *
 * <p>The SPI is bulk-first and asynchronous: a request needs hundreds of item vectors and a remote
 * tier must serve them in one round trip. Implementations must be thread-safe, must never block the
 * calling thread on I/O, and must <em>fail soft</em>: a tier that cannot answer completes
 * {@link #getAll} with the keys it could read (possibly none) rather than exceptionally, so that a
 * broken tier only costs hits. Exceptional completion is tolerated by {@link TieredCache} and treated
 * as all-miss.
 *
 * <p>Version rule: when a tier already holds a value for a key with a larger
 * {@link FeatureVector#version()}, {@link #putAll} must keep the newer one.
 *
 * <p>Every implementation should pass the {@code CacheTierContract} suite shipped in
 * personalization-core's test jar.
 */
public interface CacheTier extends AutoCloseable {

  /** A short name used in metrics and logs, for example {@code l1} or {@code redis}. */
  String name();

  /**
   * Looks up many keys at once.
   *
   * @return a future of the hits only; missing keys are absent from the map
   */
  CompletableFuture<Map<String, FeatureVector>> getAll(Collection<String> keys);

  /** Stores the entries, each with its own time to live, never replacing a newer version. */
  CompletableFuture<Void> putAll(Collection<CacheEntry> entries);

  /**
   * Stores the entries whose key passes {@code stillValid} when it is written, like
   * {@link #putAll}. {@link TieredCache} back-fills in-process tiers with it, passing "no
   * invalidation of this key has overlapped the load": an in-process tier should evaluate the
   * predicate atomically with the write of each key, so that a stale back-fill never becomes
   * visible, not even briefly. The default filters first and then calls {@link #putAll}, which
   * leaves a short window that {@link TieredCache} closes by removing such entries again.
   */
  default CompletableFuture<Void> putAllIf(Collection<CacheEntry> entries, java.util.function.Predicate<String> stillValid) {
    List<CacheEntry> valid = new java.util.ArrayList<>(entries.size());
    for (CacheEntry e : entries) {
      if (stillValid.test(e.key())) {
        valid.add(e);
      }
    }
    return valid.isEmpty() ? CompletableFuture.completedFuture(null) : putAll(valid);
  }

  /** Removes the keys. */
  CompletableFuture<Void> invalidateAll(Collection<String> keys);

  /**
   * Whether this tier lives in this process and answers without I/O. {@link TieredCache} reads such
   * tiers with {@link #getIfPresent} on the caller's thread, which keeps the L1 hit path to one map
   * lookup.
   */
  default boolean inProcess() {
    return false;
  }

  /**
   * Reads one key synchronously; only called when {@link #inProcess()} is true.
   *
   * @return the value, or {@code null} on a miss
   */
  default FeatureVector getIfPresent(String key) {
    return getAll(List.of(key)).join().get(key);
  }

  /**
   * Reads one key synchronously for {@link TieredCache}'s own bookkeeping, not for a caller: whether
   * a key missed a moment ago has arrived meanwhile, whether the copy held is newer than a loaded
   * one. A tier that keeps statistics or recency leaves such reads out of both, so that its hit
   * rate counts each caller's lookup once. Only called when {@link #inProcess()} is true; the
   * default is {@link #getIfPresent(String)}.
   *
   * @return the value, or {@code null} on a miss
   */
  default FeatureVector peek(String key) {
    return getIfPresent(key);
  }

  /**
   * Reads many keys synchronously, as {@link #getIfPresent} would one by one, writing each result
   * (or {@code null} on a miss) to {@code into} at the key's index; only called when
   * {@link #inProcess()} is true. {@link TieredCache#getAllAligned} reads its first tier this way.
   * A tier overrides it when a batch is cheaper than its keys one by one, for example to update
   * shared statistics once per batch rather than once per key.
   *
   * @param into at least {@code keys.size()} long
   */
  default void getIfPresent(List<String> keys, FeatureVector[] into) {
    for (int i = 0; i < keys.size(); i++) {
      into[i] = getIfPresent(keys.get(i));
    }
  }

  /**
   * Removes every entry. {@link TieredCache} calls it on in-process tiers when invalidations from
   * other instances may have been lost; in-process tiers should implement it. The default fails
   * with {@link UnsupportedOperationException}.
   */
  default CompletableFuture<Void> clear() {
    return CompletableFuture.failedFuture(new UnsupportedOperationException(name() + " cannot be cleared"));
  }

  /** Releases connections and threads; the default does nothing. */
  @Override
  default void close() {
  }
}
