package dev.personalization.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.Item;
import dev.personalization.PersonalizationEngine;
import dev.personalization.RecommendationRequest;
import dev.personalization.Recommendations;
import dev.personalization.Scenario;
import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.feature.FeatureStore;
import dev.personalization.feature.FeatureVector;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Round trips counted by Redis itself, from {@code INFO commandstats} after {@code CONFIG RESETSTAT}. */
class RedisRoundTripIT {

  private static LocalRedisServer server;
  private static RedisClient adminClient;
  private static StatefulRedisConnection<String, String> admin;

  @BeforeAll
  static void startRedis() {
    server = LocalRedisServer.start();
    adminClient = RedisClient.create(server.uri());
    admin = adminClient.connect();
  }

  @AfterAll
  static void stopRedis() {
    admin.close();
    adminClient.shutdown();
    server.close();
  }

  private static RedisCommands<String, String> redis() {
    return admin.sync();
  }

  /**
   * The module brings Netty's native epoll transport for Linux x86_64, and Lettuce uses it when it
   * loads; a dependency change that drops it would fall back to NIO silently, slower.
   */
  @Test
  @EnabledOnOs(value = OS.LINUX, architectures = "amd64")
  void onLinuxX86LettuceRunsOnTheNativeEpollTransport() {
    assertTrue(io.lettuce.core.resource.EpollProvider.isAvailable(), "netty-transport-native-epoll is missing or does not load");
  }

  @Test
  void getAllOf200KeysIsOneMgetAndPutAllOf200IsOneScriptCall() throws Exception {
    try (RedisCacheTier tier = RedisFixtures.lenientTier(server, "rt", new SimpleMeterRegistry())) {
      List<CacheEntry> entries = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        keys.add("pe:item:" + i + ":item:v1");
        entries.add(new CacheEntry(keys.get(i), FeatureVector.of(1, 1, 0L, i, 0.5f), Duration.ofMinutes(5)));
      }
      redis().configResetstat();
      tier.putAll(entries).get(5, TimeUnit.SECONDS);
      // The client sent one command; INFO commandstats also counts the GET and SET the script runs
      // inside Redis for each key.
      assertEquals(Map.of("evalsha", 1L, "get", 200L, "set", 200L), RedisFixtures.dataCommandCalls(redis()), "putAll(200)");

      redis().configResetstat();
      Map<String, FeatureVector> found = tier.getAll(keys).get(5, TimeUnit.SECONDS);

      assertEquals(200, found.size());
      assertEquals(Map.of("mget", 1L), RedisFixtures.dataCommandCalls(redis()), "getAll(200)");
    }
  }

  @Test
  void aRecommendWithAColdL1Reads200ItemVectorsInOneMget() throws Exception {
    FeatureStore store = FeatureStore.inMemory();
    List<Item> items = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      items.add(new Item("sku-" + i, "c" + (i % 7), new float[] {i / 200f}));
      ids.add("sku-" + i);
    }
    try (RedisCacheTier writerTier = RedisFixtures.lenientTier(server, "rt-engine", new SimpleMeterRegistry());
        PersonalizationEngine writer = RedisFixtures.engine(writerTier, store, new SimpleMeterRegistry(), 10_000)) {
      // Written through to Redis (L2) as well as to the writer's own L1.
      writer.upsertItems(items);
    }
    try (RedisCacheTier tier = RedisFixtures.lenientTier(server, "rt-engine", new SimpleMeterRegistry());
        PersonalizationEngine cold = RedisFixtures.engine(tier, store, new SimpleMeterRegistry(), 10_000)) {
      redis().configResetstat();

      Recommendations recs = cold.recommendNow(RecommendationRequest.builder("user-1", Scenario.HOMEPAGE)
          .candidates(ids).limit(10).deadline(Duration.ofSeconds(5)).build());

      assertFalse(recs.degraded(), String.valueOf(recs.reason()));
      assertEquals(10, recs.items().size());
      // Two MGETs, sent concurrently: one for the 200 item vectors, one for the user's groups. The
      // only write is one script call (in the background) caching the new user's absence.
      Map<String, Long> calls = awaitScriptCall();
      assertEquals(2L, calls.get("mget"), calls.toString());
      assertEquals(1L, calls.get("evalsha"), calls.toString());
      assertEquals(Set.of("mget", "evalsha", "get", "set"), Set.copyOf(calls.keySet()), "get/set run inside the script");

      redis().configResetstat();
      Recommendations again = cold.recommendNow(RecommendationRequest.builder("user-1", Scenario.HOMEPAGE)
          .candidates(ids).limit(10).deadline(Duration.ofSeconds(5)).build());
      assertFalse(again.degraded());
      assertEquals(Map.of(), RedisFixtures.dataCommandCalls(redis()),
          "the items and the user's (cached) absence are in L1 now: no round trip at all");
    }
  }

  @Test
  void warmUpLoadsHotItemsIntoL1WithOneBulkReadPer500Keys() throws Exception {
    FeatureStore store = FeatureStore.inMemory();
    List<Item> items = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 700; i++) {
      items.add(new Item("hot-" + i, "c", new float[] {0.5f}));
      ids.add("hot-" + i);
    }
    try (RedisCacheTier writerTier = RedisFixtures.lenientTier(server, "rt-warm", new SimpleMeterRegistry());
        PersonalizationEngine writer = RedisFixtures.engine(writerTier, store, new SimpleMeterRegistry(), 10_000)) {
      writer.upsertItems(items);
    }
    try (RedisCacheTier tier = RedisFixtures.lenientTier(server, "rt-warm", new SimpleMeterRegistry());
        PersonalizationEngine host = RedisFixtures.engine(tier, store, new SimpleMeterRegistry(), 10_000)) {
      redis().configResetstat();

      int warmed = host.warmUp(ids, List.of()).get(10, TimeUnit.SECONDS);

      assertEquals(700, warmed);
      assertEquals(Map.of("mget", 2L), RedisFixtures.dataCommandCalls(redis()), "700 keys in batches of 500");
      redis().configResetstat();
      Recommendations recs = host.recommendNow(RecommendationRequest.builder("nobody", Scenario.HOMEPAGE)
          .candidates(ids.subList(0, 200)).limit(10).deadline(Duration.ofSeconds(5)).build());
      assertFalse(recs.degraded());
      Map<String, Long> calls = awaitScriptCall();
      assertEquals(1L, calls.get("mget"), "items come from L1; only the user is looked up: " + calls);
      assertEquals(1L, calls.get("evalsha"), "then the user's absence is cached: " + calls);
    }
  }

  /** Waits for the background write of a back-fill (one script call) and returns the counts. */
  private Map<String, Long> awaitScriptCall() throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    Map<String, Long> calls = RedisFixtures.dataCommandCalls(redis());
    while (!calls.containsKey("evalsha") && System.nanoTime() < until) {
      Thread.sleep(10);
      calls = RedisFixtures.dataCommandCalls(redis());
    }
    return calls;
  }
}
