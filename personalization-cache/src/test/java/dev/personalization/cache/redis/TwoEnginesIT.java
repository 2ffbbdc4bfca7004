package dev.personalization.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.personalization.Event;
import dev.personalization.Item;
import dev.personalization.PersonalizationEngine;
import dev.personalization.RecommendationRequest;
import dev.personalization.Recommendations;
import dev.personalization.Scenario;
import dev.personalization.ScoredItem;
import dev.personalization.cache.CachePolicy;
import dev.personalization.cache.FreshnessClass;
import dev.personalization.cache.TieredCache;
import dev.personalization.cache.caffeine.CaffeineTier;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.feature.FeatureStore;
import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two engines (or caches) sharing one Redis and one store: cross-instance invalidation. */
class TwoEnginesIT {

  private static LocalRedisServer server;

  @BeforeAll
  static void startRedis() {
    server = LocalRedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    server.close();
  }

  private static final List<String> CANDIDATES = java.util.stream.IntStream.range(0, 20).mapToObj(i -> "sku-" + i).toList();

  private static RecommendationRequest request() {
    return RecommendationRequest.builder("u", Scenario.HOMEPAGE).candidates(CANDIDATES).limit(CANDIDATES.size())
        .deadline(Duration.ofSeconds(2)).build();
  }

  private static boolean recommends(PersonalizationEngine engine, String item) {
    Recommendations r = engine.recommendNow(request());
    assertFalse(r.degraded(), () -> String.valueOf(r.reason()));
    return r.items().stream().map(ScoredItem::itemId).anyMatch(item::equals);
  }

  /** Items, and one event for user u so that u's groups exist and B caches them in its L1. */
  private static void seed(PersonalizationEngine a, PersonalizationEngine b) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      items.add(new Item("sku-" + i, "c", new float[] {0.5f}));
    }
    a.upsertItems(items);
    a.ingest(List.of(Event.of("seed", "u", "sku-20", "click", Instant.now().minusSeconds(5))));
    assertTrue(recommends(b, "sku-0"), "B starts out recommending sku-0 and now holds u's groups in L1");
  }

  @Test
  void anIngestOnEngineAIsVisibleToARecommendOnEngineBWithin100Ms() throws Exception {
    FeatureStore store = FeatureStore.inMemory();
    try (RedisCacheTier tierA = RedisFixtures.tier(server, "two-a", new SimpleMeterRegistry());
        RedisCacheTier tierB = RedisFixtures.tier(server, "two-a", new SimpleMeterRegistry());
        PersonalizationEngine a = RedisFixtures.engine(tierA, store, new SimpleMeterRegistry(), 10_000);
        PersonalizationEngine b = RedisFixtures.engine(tierB, store, new SimpleMeterRegistry(), 10_000)) {
      seed(a, b);
      long[] delaysMicros = new long[CANDIDATES.size()];
      for (int i = 0; i < CANDIDATES.size(); i++) {
        String item = CANDIDATES.get(i);
        assertTrue(recommends(b, item), "before the click B recommends " + item);
        a.ingest(List.of(Event.of("click-" + i, "u", item, "click", Instant.now())));
        long ingested = System.nanoTime();
        while (recommends(b, item)) {
          if (System.nanoTime() - ingested > TimeUnit.SECONDS.toNanos(2)) {
            fail("B still recommends the already-clicked " + item + " 2 s after the ingest on A");
          }
          Thread.sleep(0, 200_000);
        }
        delaysMicros[i] = (System.nanoTime() - ingested) / 1_000;
      }
      long[] sorted = delaysMicros.clone();
      Arrays.sort(sorted);
      System.out.printf("cross-engine visibility (ingest on A returned -> recommend on B reflects it), %d trials: "
          + "min %.1f ms, median %.1f ms, max %.1f ms%n", sorted.length, sorted[0] / 1e3, sorted[sorted.length / 2] / 1e3,
          sorted[sorted.length - 1] / 1e3);
      // Every trial must be visible within 100 ms but for the odd one on a host whose 2 cores are
      // oversubscribed (a scheduling hiccup delays one message): at least 90% under 100 ms, none
      // over 1 s. Without the bus B stays stale for the TTL, minutes (see the control test below).
      long under = Arrays.stream(delaysMicros).filter(d -> d < 100_000).count();
      assertTrue(under >= delaysMicros.length * 9 / 10, "visible within 100 ms in only " + under + " of "
          + delaysMicros.length + " trials: " + Arrays.toString(delaysMicros));
      assertTrue(sorted[sorted.length - 1] < 1_000_000, "a trial took " + sorted[sorted.length - 1] / 1e3 + " ms");
    }
  }

  @Test
  void withoutTheBusEngineBKeepsServingItsStaleL1Copy() throws Exception {
    FeatureStore store = FeatureStore.inMemory();
    try (RedisCacheTier tierA = RedisFixtures.tier(server, "two-b", new SimpleMeterRegistry());
        RedisCacheTier tierB = RedisFixtures.tier(server, "two-b", new SimpleMeterRegistry());
        PersonalizationEngine a = RedisFixtures.engine(tierA, store, new SimpleMeterRegistry(), 10_000);
        PersonalizationEngine b = PersonalizationEngine.builder()
            .addCacheTier(CaffeineTier.builder().build()).addCacheTier(tierB)
            .featureStore(store).itemColumns(List.of("quality")).build()) {
      seed(a, b);

      a.ingest(List.of(Event.of("click-0", "u", "sku-0", "click", Instant.now())));
      Thread.sleep(300);

      assertTrue(recommends(b, "sku-0"), "the control: without invalidation B's L1 is stale for its TTL");
    }
  }

  /**
   * Two caches over their own L1 and the shared Redis, a shared store, writers on both, readers on
   * both: no read on an instance returns a version older than one that instance had already
   * returned or written before the read began.
   */
  @Test
  void concurrentWritersAndReadersNeverSeeAVersionGoBackwards() throws Exception {
    int keys = 16;
    Map<String, FeatureVector> store = new ConcurrentHashMap<>();
    List<String> all = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      all.add("prop:" + i);
      store.put(all.get(i), FeatureVector.of(1, 1, 0L, 1f));
    }
    ExecutorService loaderPool = Executors.newFixedThreadPool(2);
    dev.personalization.cache.CacheLoader loader = ks -> CompletableFuture.supplyAsync(() -> {
      Map<String, FeatureVector> out = new HashMap<>();
      for (String k : ks) {
        out.put(k, store.get(k));
      }
      return out;
    }, loaderPool);
    try (RedisCacheTier redisA = RedisFixtures.tier(server, "prop", new SimpleMeterRegistry());
        RedisCacheTier redisB = RedisFixtures.tier(server, "prop", new SimpleMeterRegistry())) {
      TieredCache[] instances = {
          TieredCache.of(List.of(CaffeineTier.builder().build(), redisA), CachePolicy.ofDefaults(), new SimpleMeterRegistry(),
              redisA.invalidationBus()),
          TieredCache.of(List.of(CaffeineTier.builder().build(), redisB), CachePolicy.ofDefaults(), new SimpleMeterRegistry(),
              redisB.invalidationBus())};
      AtomicLongArray[] seen = {new AtomicLongArray(keys), new AtomicLongArray(keys)};
      List<String> violations = new CopyOnWriteArrayList<>();
      AtomicLong reads = new AtomicLong();
      AtomicLong writes = new AtomicLong();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      ExecutorService pool = Executors.newFixedThreadPool(6);
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int inst = w;
        workers.add(pool.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          while (System.nanoTime() < end) {
            int k = random.nextInt(keys);
            String key = all.get(k);
            FeatureVector next = store.compute(key, (kk, v) -> FeatureVector.of(1, v.version() + 1, 0L, v.version() + 1));
            if (random.nextInt(10) == 0) {
              instances[inst].invalidateAll(List.of(key)).join();
            } else {
              instances[inst].putAll(Map.of(key, next), FreshnessClass.DYNAMIC).join();
            }
            seen[inst].accumulateAndGet(k, next.version(), Math::max);
            writes.incrementAndGet();
            Thread.sleep(0, 500_000);
          }
          return null;
        }));
      }
      for (int r = 0; r < 4; r++) {
        int inst = r % 2;
        workers.add(pool.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          while (System.nanoTime() < end) {
            List<String> ask = new ArrayList<>();
            long[] floor = new long[keys];
            for (int j = 0; j < 4; j++) {
              int k = random.nextInt(keys);
              ask.add(all.get(k));
              floor[k] = seen[inst].get(k);
            }
            Map<String, FeatureVector> got = instances[inst].getAll(ask, FreshnessClass.DYNAMIC, loader).get(5, TimeUnit.SECONDS);
            for (Map.Entry<String, FeatureVector> e : got.entrySet()) {
              int k = all.indexOf(e.getKey());
              long v = e.getValue().version();
              if (v < floor[k]) {
                violations.add("instance " + inst + " read " + e.getKey() + " v" + v + " after v" + floor[k]);
              }
              seen[inst].accumulateAndGet(k, v, Math::max);
            }
            reads.incrementAndGet();
          }
          return null;
        }));
      }
      for (Future<?> f : workers) {
        f.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();
      System.out.printf("never-backwards property: %d writes, %d bulk reads, %d violations%n", writes.get(), reads.get(),
          violations.size());
      assertEquals(List.of(), violations.subList(0, Math.min(10, violations.size())));
      assertTrue(reads.get() > 100 && writes.get() > 100, "too little traffic to mean anything: " + reads + " / " + writes);

      // Once writes stop, both instances converge on the store's versions (invalidations whose
      // publication timed out under load are retried every 200 ms).
      long stopped = System.nanoTime();
      for (TieredCache cache : instances) {
        while (true) {
          Map<String, FeatureVector> got = cache.getAll(all, FreshnessClass.DYNAMIC, loader).get(5, TimeUnit.SECONDS);
          List<String> behind = new ArrayList<>();
          for (String k : all) {
            if (got.get(k).version() != store.get(k).version()) {
              behind.add(k + " v" + got.get(k).version() + " < v" + store.get(k).version());
            }
          }
          if (behind.isEmpty()) {
            break;
          }
          assertTrue(System.nanoTime() - stopped < TimeUnit.SECONDS.toNanos(5), "not converged after 5 s: " + behind);
          Thread.sleep(20);
        }
      }
      System.out.printf("converged %.0f ms after the writers stopped%n", (System.nanoTime() - stopped) / 1e6);
    } finally {
      loaderPool.shutdownNow();
    }
  }
}
