package dev.personalization.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.Event;
import dev.personalization.Item;
import dev.personalization.PersonalizationEngine;
import dev.personalization.RecommendationRequest;
import dev.personalization.Recommendations;
import dev.personalization.Scenario;
import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.feature.FeatureStore;
import dev.personalization.feature.FeatureVector;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Random bytes written straight into Redis under the tier's keys, and on its channel. */
class CorruptValuesIT {

  private static LocalRedisServer server;
  private static RedisClient adminClient;
  private static StatefulRedisConnection<byte[], byte[]> admin;

  @BeforeAll
  static void startRedis() {
    server = LocalRedisServer.start();
    adminClient = RedisClient.create(server.uri());
    admin = adminClient.connect(ByteArrayCodec.INSTANCE);
  }

  @AfterAll
  static void stopRedis() {
    admin.close();
    adminClient.shutdown();
    server.close();
  }

  private static RedisCommands<byte[], byte[]> redis() {
    return admin.sync();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] junk(SplittableRandom random) {
    byte[] b = new byte[random.nextInt(0, 400)];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) random.nextInt();
    }
    if (b.length > 0 && random.nextBoolean()) {
      b[0] = VectorCodec.FORMAT_VERSION;
    }
    return b;
  }

  @Test
  void corruptValuesAreCountedMissesAndAreDeleted() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (RedisCacheTier tier = RedisFixtures.lenientTier(server, "corrupt", registry)) {
      List<String> keys = new ArrayList<>();
      List<CacheEntry> good = new ArrayList<>();
      SplittableRandom random = new SplittableRandom(7);
      for (int i = 0; i < 100; i++) {
        String key = "pe:item:" + i + ":item:v1";
        keys.add(key);
        if (i % 2 == 0) {
          good.add(new CacheEntry(key, FeatureVector.of(1, 1, 0L, i), Duration.ofMinutes(5)));
        } else if (i % 4 == 1) {
          redis().set(bytes("corrupt:" + key), junk(random));
        } else {
          // A valid vector, but the one of another key.
          redis().set(bytes("corrupt:" + key), VectorCodec.encode("pe:item:other:item:v1", FeatureVector.of(1, 1, 0L, 1f)));
        }
      }
      tier.putAll(good).get(5, TimeUnit.SECONDS);

      Map<String, FeatureVector> found = tier.getAll(keys).get(5, TimeUnit.SECONDS);

      assertEquals(50, found.size());
      assertEquals(50, registry.get("personalization.redis.values.corrupt").counter().count());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (corruptKeysLeft(keys) > 0) {
        assertTrue(System.nanoTime() < deadline, "corrupt values were not deleted: " + corruptKeysLeft(keys) + " left");
        Thread.sleep(10);
      }
      assertEquals(50, tier.getAll(keys).get(5, TimeUnit.SECONDS).size(), "the good values are still there");
    }
  }

  private static long corruptKeysLeft(List<String> keys) {
    long left = 0;
    for (int i = 1; i < keys.size(); i += 2) {
      left += redis().exists(bytes("corrupt:" + keys.get(i)));
    }
    return left;
  }

  @Test
  void corruptItemValuesAndGarbageInvalidationsNeverBreakARequest() throws Exception {
    FeatureStore store = FeatureStore.inMemory();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<String> ids = new ArrayList<>();
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ids.add("sku-" + i);
      items.add(new Item("sku-" + i, "c", new float[] {i / 100f}));
    }
    try (RedisCacheTier writerTier = RedisFixtures.tier(server, "corrupt-engine", new SimpleMeterRegistry());
        PersonalizationEngine writer = RedisFixtures.engine(writerTier, store, new SimpleMeterRegistry(), 10_000)) {
      writer.upsertItems(items);
      writer.ingest(List.of(Event.of("e1", "user-1", "sku-1", "click", Instant.now())));
    }
    // Overwrite every value under the namespace with random bytes.
    SplittableRandom random = new SplittableRandom(11);
    int corrupted = 0;
    KeyScanCursor<byte[]> cursor = redis().scan(ScanArgs.Builder.matches("corrupt-engine:*").limit(500));
    while (true) {
      for (byte[] key : cursor.getKeys()) {
        redis().set(key, junk(random));
        corrupted++;
      }
      if (cursor.isFinished()) {
        break;
      }
      cursor = redis().scan(ScanCursor.of(cursor.getCursor()), ScanArgs.Builder.matches("corrupt-engine:*").limit(500));
    }
    assertTrue(corrupted >= 100, "corrupted only " + corrupted);
    try (RedisCacheTier tier = RedisFixtures.lenientTier(server, "corrupt-engine", registry);
        PersonalizationEngine engine = RedisFixtures.engine(tier, store, registry, 10_000)) {
      // Garbage on the invalidation channel, including a valid header with a lying count.
      for (int i = 0; i < 20; i++) {
        redis().publish(bytes("corrupt-engine:invalidations"), junk(random));
      }
      redis().publish(bytes("corrupt-engine:invalidations"), new byte[] {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
          0x7f, 0, 0, 0});

      Recommendations recs = engine.recommendNow(RecommendationRequest.builder("user-1", Scenario.HOMEPAGE)
          .candidates(ids).limit(10).deadline(Duration.ofSeconds(5)).build());

      assertFalse(recs.degraded(), () -> String.valueOf(recs.reason()));
      assertEquals(10, recs.items().size());
      assertTrue(recs.items().stream().noneMatch(s -> s.itemId().equals("sku-1")), "user-1's features came from the store");
      assertTrue(registry.get("personalization.redis.values.corrupt").counter().count() >= 100);
      // The item vectors were reloaded from the store and written back, now decodable.
      Recommendations again = engine.recommendNow(RecommendationRequest.builder("user-2", Scenario.HOMEPAGE)
          .candidates(ids).limit(10).deadline(Duration.ofSeconds(5)).build());
      assertFalse(again.degraded());
    }
  }
}
