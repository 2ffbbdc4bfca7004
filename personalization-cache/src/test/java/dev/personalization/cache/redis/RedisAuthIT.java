package dev.personalization.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.feature.FeatureVector;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** AUTH rides on the {@link RedisURI}; a wrong password fails soft. */
class RedisAuthIT {

  private static LocalRedisServer server;

  @BeforeAll
  static void startRedis() {
    server = LocalRedisServer.start("--requirepass", "s3cret-pw");
  }

  @AfterAll
  static void stopRedis() {
    server.close();
  }

  private static final String KEY = "pe:item:1:item:v1";

  @Test
  void theRightPasswordOnTheUriWorks() throws Exception {
    try (RedisCacheTier tier = RedisTier.builder().uri("redis://:s3cret-pw@127.0.0.1:" + server.port())
        .commandTimeout(Duration.ofSeconds(1)).build()) {
      tier.putAll(List.of(new CacheEntry(KEY, FeatureVector.of(1, 1, 0L, 1f), Duration.ofMinutes(1)))).get(5, TimeUnit.SECONDS);

      assertEquals(1, tier.getAll(List.of(KEY)).get(5, TimeUnit.SECONDS).size());
    }
  }

  @Test
  void aWrongPasswordIsAnAllMissNotAnError() throws Exception {
    RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(server.port())
        .withPassword("wrong".toCharArray()).build();
    try (RedisCacheTier tier = RedisTier.builder().uri(uri).connectTimeout(Duration.ofMillis(500)).build()) {
      assertEquals(Map.of(), tier.getAll(List.of(KEY)).get(5, TimeUnit.SECONDS));
    }
  }
}
