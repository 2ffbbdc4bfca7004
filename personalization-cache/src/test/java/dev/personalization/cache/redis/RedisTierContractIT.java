package dev.personalization.cache.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.CacheTier;
import dev.personalization.cache.CacheTierContract;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.feature.FeatureVector;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@link CacheTierContract} against a real redis-server, then what is Redis's own: the
 * version-checking script, TTLs, the namespace prefix, size limits and the NOSCRIPT fallback.
 */
class RedisTierContractIT extends CacheTierContract {

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

  /** The contract is about semantics, not latency: a generous timeout keeps a busy CI host green. */
  @Override
  protected CacheTier createTier() {
    return RedisTier.builder().uri(server.uri()).namespace("contract").commandTimeout(Duration.ofSeconds(2)).build();
  }

  private static RedisCommands<byte[], byte[]> redis() {
    return admin.sync();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static FeatureVector v(long version) {
    return FeatureVector.of(2, version, 123L, 1f, 2f, version);
  }

  @Test
  void keysCarryTheNamespaceAndValuesTheCodecsBytes() throws Exception {
    await(tier().putAll(List.of(new CacheEntry(key("a"), v(5), TTL))));

    byte[] stored = redis().get(bytes("contract:" + key("a")));

    assertArrayEquals(VectorCodec.encode(key("a"), v(5)), stored);
    assertNull(redis().get(bytes(key("a"))), "nothing is written without the prefix");
  }

  @Test
  void entriesExpireWithTheirOwnTtlInMilliseconds() throws Exception {
    await(tier().putAll(List.of(
        new CacheEntry(key("short"), v(1), Duration.ofMillis(1_500)),
        new CacheEntry(key("long"), v(1), Duration.ofMinutes(5)))));

    long shortTtl = redis().pttl(bytes("contract:" + key("short")));
    long longTtl = redis().pttl(bytes("contract:" + key("long")));

    assertTrue(shortTtl > 1_000 && shortTtl <= 1_500, "PTTL " + shortTtl);
    assertTrue(longTtl > 290_000 && longTtl <= 300_000, "PTTL " + longTtl);
  }

  @Test
  void theScriptKeepsTheNewerVersionAndItsTtl() throws Exception {
    await(tier().putAll(List.of(new CacheEntry(key("k"), v(9), Duration.ofMinutes(5)))));

    await(tier().putAll(List.of(new CacheEntry(key("k"), v(3), Duration.ofSeconds(2)))));

    assertEquals(v(9), await(tier().getAll(List.of(key("k")))).get(key("k")));
    assertTrue(redis().pttl(bytes("contract:" + key("k"))) > 200_000, "a rejected write must not shorten the TTL");
  }

  @Test
  void versionsBeyondTwoToTheFiftyThirdCompareExactly() throws Exception {
    long big = (1L << 53) + 1;
    await(tier().putAll(List.of(new CacheEntry(key("k"), v(big), TTL))));

    await(tier().putAll(List.of(new CacheEntry(key("k"), v(big - 1), TTL))));
    assertEquals(big, await(tier().getAll(List.of(key("k")))).get(key("k")).version());

    await(tier().putAll(List.of(new CacheEntry(key("k"), v(Long.MAX_VALUE), TTL))));
    assertEquals(Long.MAX_VALUE, await(tier().getAll(List.of(key("k")))).get(key("k")).version());
  }

  @Test
  void aValueOfAnotherTypeOrFormatUnderOurKeyIsOverwritten() throws Exception {
    redis().rpush(bytes("contract:" + key("list")), bytes("x"));
    redis().set(bytes("contract:" + key("garbage")), new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});

    await(tier().putAll(List.of(new CacheEntry(key("list"), v(1), TTL), new CacheEntry(key("garbage"), v(1), TTL))));

    assertEquals(Map.of(key("list"), v(1), key("garbage"), v(1)), await(tier().getAll(List.of(key("list"), key("garbage")))));
  }

  @Test
  void writesWorkAgainAfterTheScriptCacheIsFlushed() throws Exception {
    await(tier().putAll(List.of(new CacheEntry(key("a"), v(1), TTL))));
    redis().scriptFlush();

    await(tier().putAll(List.of(new CacheEntry(key("a"), v(2), TTL))));

    assertEquals(v(2), await(tier().getAll(List.of(key("a")))).get(key("a")));
  }

  @Test
  void valuesOverTheSizeLimitAreNotWrittenAndCounted() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (RedisCacheTier small = RedisTier.builder().uri(server.uri()).namespace("contract").maxValueBytes(100)
        .commandTimeout(Duration.ofSeconds(2)).meterRegistry(registry).build()) {
      await(small.putAll(List.of(
          new CacheEntry(key("fits"), FeatureVector.of(1, 1, 0L, new float[4]), TTL),
          new CacheEntry(key("huge"), FeatureVector.of(1, 1, 0L, new float[100]), TTL))));

      assertEquals(1, redis().exists(bytes("contract:" + key("fits"))));
      assertEquals(0, redis().exists(bytes("contract:" + key("huge"))));
      assertEquals(1, registry.get("personalization.redis.values.oversize").counter().count());
    }
  }

  @Test
  void builderRejectsBadSettingsNamingThem() {
    RedisTier.Builder b = RedisTier.builder();
    assertTrue(assertThrows(IllegalStateException.class, b::build).getMessage().contains("uri"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.namespace("a b")).getMessage().contains("'a b'"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.commandTimeout(Duration.ZERO)).getMessage().contains("PT0S"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.maxValueBytes(10)).getMessage().contains("10"));
    b.uri(server.uri()).cluster(List.of(io.lettuce.core.RedisURI.create(server.uri())));
    assertTrue(assertThrows(IllegalStateException.class, b::build).getMessage().contains("mutually exclusive"));
  }
}
