package dev.personalization.cache.caffeine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.personalization.cache.CacheLoader;
import dev.personalization.cache.CachePolicy;
import dev.personalization.cache.CacheTier;
import dev.personalization.cache.FreshnessClass;
import dev.personalization.cache.TieredCache;
import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The L1's published statistics ({@code cache.gets}) count the lookups made for callers, once per
 * key: the cache's own second looks at L1 while it loads (is the key there by now? is the copy there
 * newer than the loaded one?) are bookkeeping, and counting them would report a hit rate for a
 * cold cache that it never had.
 */
class TieredCacheL1StatisticsTest {

  private static final int KEYS = 200;

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final CacheTier l1 = CaffeineTier.builder().name("l1").meterRegistry(registry).build();
  private final TieredCache cache = TieredCache.of(List.of(l1), CachePolicy.ofDefaults(), registry);
  private final CacheLoader loader = keys -> {
    Map<String, FeatureVector> found = new HashMap<>();
    for (String k : keys) {
      found.put(k, FeatureVector.of(1, 1, 0L, 0.5f));
    }
    return CompletableFuture.completedFuture(found);
  };

  private static List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      keys.add("pe:item:" + i + ":item:v1");
    }
    return keys;
  }

  private double gets(String result) {
    return registry.get("cache.gets").tag("cache", "l1").tag("result", result).functionCounter().count();
  }

  @Test
  void aBatchLoadedThroughAColdL1CountsOneMissPerKeyAndNoHit() throws Exception {
    assertEquals(KEYS, cache.getAll(keys(), FreshnessClass.STATIC, loader).get(5, TimeUnit.SECONDS).size());

    assertEquals(KEYS, gets("miss"), "misses");
    assertEquals(0, gets("hit"), "hits");

    cache.getAll(keys(), FreshnessClass.STATIC, loader).get(5, TimeUnit.SECONDS);

    assertEquals(KEYS, gets("miss"), "misses after a second, warm read");
    assertEquals(KEYS, gets("hit"), "hits after a second, warm read");
  }

  @Test
  void aSingleKeyLoadedThroughAColdL1CountsOneMissAndNoHit() throws Exception {
    cache.get("k", FreshnessClass.DYNAMIC, loader).get(5, TimeUnit.SECONDS);

    assertEquals(1, gets("miss"), "misses");
    assertEquals(0, gets("hit"), "hits");

    cache.get("k", FreshnessClass.DYNAMIC, loader).get(5, TimeUnit.SECONDS);

    assertEquals(1, gets("miss"), "misses after a warm read");
    assertEquals(1, gets("hit"), "hits after a warm read");
  }
}
