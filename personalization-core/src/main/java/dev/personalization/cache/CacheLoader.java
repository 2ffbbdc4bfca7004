package dev.personalization.cache;

import dev.personalization.feature.FeatureVector;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Loads the values that no cache tier holds, all of them in one call.
 *
 * <p>{@link TieredCache} calls it with every key a request missed, so an implementation backed by
 * a database can answer with one query. It must not block the calling thread: blocking work belongs
 * on an executor, and the returned future completes when it is done.
 */
@FunctionalInterface
public interface CacheLoader {

  /**
   * @param keys the missed cache keys, never empty
   * @return a future of the values found; keys without a value are absent
   */
  CompletableFuture<Map<String, FeatureVector>> loadAll(Set<String> keys);
}
