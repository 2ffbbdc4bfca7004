package dev.personalization.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.feature.FeatureVector;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tier behind Redis Sentinel: a master, a replica and one Sentinel, all the embedded
 * {@code redis-server} binary (Sentinel is the same binary run with {@code --sentinel}). The tier
 * is given only the Sentinel's address and the master's name; it finds the master through Sentinel,
 * and after a failover it finds and uses the promoted replica without being rebuilt.
 */
class RedisSentinelIT {

  private static final String MASTER = "pe-master";
  private static final String KEY = "pe:item:sku-1:item:v1";

  private LocalRedisServer master;
  private LocalRedisServer replica;
  private LocalRedisServer sentinel;
  private RedisClient admin;

  @BeforeEach
  void startTopology() {
    master = LocalRedisServer.start();
    replica = LocalRedisServer.start("--replicaof", "127.0.0.1", Integer.toString(master.port()));
    admin = RedisClient.create();
    awaitTrue("the replica to sync with the master", Duration.ofSeconds(15),
        () -> info(replica, "replication").contains("master_link_status:up"));
    sentinel = LocalRedisServer.startSentinel(MASTER, master.port());
    // Sentinel learns of replicas from the master's INFO; a failover needs one it knows.
    awaitTrue("Sentinel to discover the replica", Duration.ofSeconds(20), () -> {
      try (StatefulRedisSentinelConnection<String, String> s = sentinelConnection()) {
        return !s.sync().replicas(MASTER).isEmpty();
      }
    });
  }

  @AfterEach
  void stopTopology() {
    admin.shutdown();
    for (LocalRedisServer s : new LocalRedisServer[] {sentinel, replica, master}) {
      if (s != null) {
        s.close();
      }
    }
  }

  private StatefulRedisSentinelConnection<String, String> sentinelConnection() {
    return admin.connectSentinel(RedisURI.create("redis://127.0.0.1:" + sentinel.port()));
  }

  private String info(LocalRedisServer server, String section) {
    try (StatefulRedisConnection<String, String> c = admin.connect(RedisURI.create(server.uri()))) {
      return c.sync().info(section);
    }
  }

  private byte[] rawGet(LocalRedisServer server, String redisKey) {
    try (StatefulRedisConnection<byte[], byte[]> c = admin.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE,
        RedisURI.create(server.uri()))) {
      return c.sync().get(redisKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static void awaitTrue(String what, Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException notYet) {
        // Servers restarting or reconfiguring refuse connections for a moment: try again.
      }
      assertTrue(System.nanoTime() < deadline, "timed out after " + within + " waiting for " + what);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  private static CacheEntry entry(long version) {
    return new CacheEntry(KEY, FeatureVector.of(1, version, 0L, version), Duration.ofMinutes(5));
  }

  /** Writes version {@code v} through the tier and reads it back; false if Redis was skipped. */
  private static boolean roundTrip(RedisCacheTier tier, long v) {
    try {
      tier.putAll(List.of(entry(v))).get(5, TimeUnit.SECONDS);
      Map<String, FeatureVector> got = tier.getAll(List.of(KEY)).get(5, TimeUnit.SECONDS);
      return got.containsKey(KEY) && got.get(KEY).version() == v;
    } catch (Exception skippedOrFailed) {
      return false;
    }
  }

  @Test
  void findsTheMasterThroughSentinelAndFollowsAFailover() {
    RedisURI viaSentinel = RedisURI.Builder.sentinel("127.0.0.1", sentinel.port(), MASTER).build();
    // A lenient timeout: this test is about finding the master, not about latency.
    try (RedisCacheTier tier = RedisTier.builder().uri(viaSentinel).namespace("sentinel")
        .commandTimeout(Duration.ofMillis(500)).build()) {
      assertTrue(roundTrip(tier, 1), "no round trip through the master Sentinel names");
      assertNotNull(rawGet(master, "sentinel:" + KEY), "the value is not on the master");

      try (StatefulRedisSentinelConnection<String, String> s = sentinelConnection()) {
        // Sentinel learns of the replica from the master's INFO, polled every few seconds: until
        // it has, a failover is refused with NOGOODSLAVE. Ask again until it is accepted.
        // (awaitTrue treats the refusal, an exception, as "not yet".)
        awaitTrue("Sentinel to accept a failover (it must know a replica first)", Duration.ofSeconds(30),
            () -> "OK".equals(s.sync().failover(MASTER)));
        awaitTrue("Sentinel to name the replica as master", Duration.ofSeconds(30), () -> {
          SocketAddress address = s.sync().getMasterAddrByName(MASTER);
          return address.toString().endsWith(":" + replica.port());
        });
      }
      awaitTrue("the promoted replica to accept writes", Duration.ofSeconds(15),
          () -> info(replica, "replication").contains("role:master"));
      // Until Sentinel turns the old master into a replica, it still takes writes (and the tier's
      // connection to it is still open): wait for that, as a client of a real failover would.
      long announced = System.nanoTime();
      awaitTrue("Sentinel to turn the old master into a replica", Duration.ofSeconds(30),
          () -> info(master, "replication").contains("role:slave"));

      // The old master now refuses writes and Sentinel killed its clients' connections: the tier
      // reconnects, asks Sentinel again and writes to the new master.
      long started = System.nanoTime();
      awaitTrue("a round trip through the tier after the failover", Duration.ofSeconds(30), () -> roundTrip(tier, 2));
      System.out.printf("sentinel failover: old master demoted %.0f ms after the new one was announced; the tier "
          + "wrote and read through the new master %.0f ms after that%n", (started - announced) / 1e6,
          (System.nanoTime() - started) / 1e6);
      byte[] onNewMaster = rawGet(replica, "sentinel:" + KEY);
      assertNotNull(onNewMaster, "the value is not on the new master");
      assertEquals(2, VectorCodec.version(onNewMaster));
    }
  }
}
