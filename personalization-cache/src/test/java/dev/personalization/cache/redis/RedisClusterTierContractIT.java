package dev.personalization.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.CacheTier;
import dev.personalization.cache.CacheTierContract;
import dev.personalization.cache.Invalidation;
import dev.personalization.cache.InvalidationBus;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.feature.FeatureVector;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@link CacheTierContract} through Lettuce's cluster client, against a one-node Redis Cluster
 * (cluster mode on, all 16384 slots assigned to the node): keys of a batch fall in many slots, so
 * reads are split per slot and writes are one script call per slot.
 */
class RedisClusterTierContractIT extends CacheTierContract {

  private static LocalRedisServer server;

  @BeforeAll
  static void startCluster() throws Exception {
    server = LocalRedisServer.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
        "--cluster-announce-ip", "127.0.0.1");
    RedisClient client = RedisClient.create(server.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().clusterAddSlots(IntStream.range(0, 16384).toArray());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!c.sync().clusterInfo().contains("cluster_state:ok")) {
        assertTrue(System.nanoTime() < deadline, "the one-node cluster did not become ok");
        Thread.sleep(50);
      }
    } finally {
      client.shutdown();
    }
  }

  @AfterAll
  static void stopCluster() {
    server.close();
  }

  @Override
  protected CacheTier createTier() {
    return RedisTier.builder().cluster(List.of(RedisURI.create(server.uri()))).namespace("cluster")
        .commandTimeout(Duration.ofSeconds(2)).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @Test
  void invalidationsTravelBetweenTwoTiersOnTheCluster() throws Exception {
    try (RedisCacheTier a = (RedisCacheTier) createTier(); RedisCacheTier b = (RedisCacheTier) createTier()) {
      List<Invalidation> received = new CopyOnWriteArrayList<>();
      b.invalidationBus().subscribe(new InvalidationBus.Listener() {
        @Override
        public void onInvalidations(List<Invalidation> invalidations) {
          received.addAll(invalidations);
        }

        @Override
        public void onResync() {
        }
      });
      a.invalidationBus().subscribe(new InvalidationBus.Listener() {
        @Override
        public void onInvalidations(List<Invalidation> invalidations) {
          received.add(Invalidation.removed("a must not hear itself"));
        }

        @Override
        public void onResync() {
        }
      });
      long subscribed = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (((RedisInvalidationBus) b.invalidationBus()).subscriptions() < 1) {
        assertTrue(System.nanoTime() < subscribed, "b never subscribed");
        Thread.sleep(10);
      }

      a.invalidationBus().publish(List.of(Invalidation.written(key("k"), 7), Invalidation.removed(key("j"))));

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (received.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      Thread.sleep(100);
      assertEquals(List.of(Invalidation.written(key("k"), 7), Invalidation.removed(key("j"))), received);
    }
  }

  @Test
  void aBatchAcrossManySlotsIsWrittenAndReadWhole() throws Exception {
    List<CacheEntry> entries = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      keys.add(key("spread-" + i));
      entries.add(new CacheEntry(keys.get(i), FeatureVector.of(1, i, 0L, i), TTL));
    }
    await(tier().putAll(entries));

    Map<String, FeatureVector> found = await(tier().getAll(keys));

    assertEquals(600, found.size());
    assertEquals(599, found.get(key("spread-599")).version());
  }
}
