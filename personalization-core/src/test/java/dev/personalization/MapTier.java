package dev.personalization;

import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.CacheTier;
import dev.personalization.feature.FeatureVector;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** An in-process tier over a map, without expiry: enough to watch what the engine caches. */
final class MapTier implements CacheTier {

  final ConcurrentHashMap<String, FeatureVector> map = new ConcurrentHashMap<>();

  @Override
  public String name() {
    return "map";
  }

  @Override
  public boolean inProcess() {
    return true;
  }

  @Override
  public FeatureVector getIfPresent(String key) {
    return map.get(key);
  }

  @Override
  public CompletableFuture<Map<String, FeatureVector>> getAll(Collection<String> keys) {
    Map<String, FeatureVector> out = new HashMap<>();
    for (String k : keys) {
      FeatureVector v = map.get(k);
      if (v != null) {
        out.put(k, v);
      }
    }
    return CompletableFuture.completedFuture(out);
  }

  @Override
  public CompletableFuture<Void> putAll(Collection<CacheEntry> entries) {
    for (CacheEntry e : entries) {
      map.merge(e.key(), e.value(), (old, neu) -> neu.version() >= old.version() ? neu : old);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> invalidateAll(Collection<String> keys) {
    keys.forEach(map::remove);
    return CompletableFuture.completedFuture(null);
  }
}
