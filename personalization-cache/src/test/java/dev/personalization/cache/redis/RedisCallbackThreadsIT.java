package dev.personalization.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What callers chain on the tier's futures runs on the callback executor: never on Lettuce's I/O
 * thread, whose every other reply it would hold up, nor on the tier's timer, whose other deadlines
 * it would delay.
 */
class RedisCallbackThreadsIT {

  private static final int CALLS = 200;

  private static LocalRedisServer server;

  @BeforeAll
  static void startRedis() {
    server = LocalRedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    server.close();
  }

  /** The names of the threads that ran a step chained on each of {@value #CALLS} reads. */
  private static Set<String> chainedThreads(RedisCacheTier tier) throws Exception {
    tier.putAll(List.of(new CacheEntry("k", FeatureVector.of(1, 1, 0L, 1f), Duration.ofMinutes(5)))).get(5, TimeUnit.SECONDS);
    List<CompletableFuture<String>> chained = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      chained.add(tier.getAll(List.of("k")).thenApply(found -> {
        assertEquals(1, found.size());
        return Thread.currentThread().getName();
      }));
    }
    Set<String> threads = new TreeSet<>();
    for (CompletableFuture<String> c : chained) {
      threads.add(c.get(5, TimeUnit.SECONDS));
    }
    return threads;
  }

  @Test
  void byDefaultChainedStepsRunOnTheTiersOwnCallbackThreads() throws Exception {
    try (RedisCacheTier tier = RedisFixtures.lenientTier(server, "cb-default", new SimpleMeterRegistry())) {
      Set<String> threads = chainedThreads(tier);
      assertTrue(threads.stream().noneMatch(t -> t.startsWith("lettuce-")), "ran on Lettuce's threads: " + threads);
      // A read still in flight when the step was chained completes on a callback thread; one already
      // done runs the step on the calling thread, as CompletableFuture does.
      assertTrue(threads.stream().anyMatch(t -> t.startsWith("personalization-redis-redis-callback-")), "no callback thread in " + threads);
      assertTrue(threads.stream().allMatch(t -> t.startsWith("personalization-redis-redis-callback-") || t.equals(Thread.currentThread().getName())),
          "ran elsewhere: " + threads);
    }
  }

  @Test
  void aHostExecutorRunsTheChainedStepsAndOutlivesTheTier() throws Exception {
    ExecutorService host = Executors.newFixedThreadPool(2, r -> new Thread(r, "host-callback"));
    try {
      try (RedisCacheTier tier = RedisTier.builder().uri(server.uri()).namespace("cb-host")
          .commandTimeout(Duration.ofSeconds(1)).callbackExecutor(host).build()) {
        Set<String> threads = chainedThreads(tier);
        assertTrue(threads.contains("host-callback"), "the host executor ran nothing: " + threads);
        assertTrue(threads.stream().allMatch(t -> t.equals("host-callback") || t.equals(Thread.currentThread().getName())),
            "ran elsewhere: " + threads);
      }
      assertFalse(host.isShutdown(), "closing the tier shut the host's executor down");
    } finally {
      host.shutdownNow();
    }
  }

  @Test
  void aHostExecutorThatRejectsDoesNotFailTheCalls() throws Exception {
    ExecutorService host = Executors.newSingleThreadExecutor();
    host.shutdown();
    try (RedisCacheTier tier = RedisTier.builder().uri(server.uri()).namespace("cb-rejecting")
        .commandTimeout(Duration.ofSeconds(1)).callbackExecutor(host).build()) {
      tier.putAll(List.of(new CacheEntry("k", FeatureVector.of(1, 1, 0L, 1f), Duration.ofMinutes(5)))).get(5, TimeUnit.SECONDS);
      assertEquals(Set.of("k"), tier.getAll(List.of("k")).get(5, TimeUnit.SECONDS).keySet());
    }
  }

  @Test
  void aTimedOutCallCompletesOnACallbackThreadNotOnTheTimer() throws Exception {
    try (LocalRedisServer paused = LocalRedisServer.start();
        RedisCacheTier tier = RedisTier.builder().uri(paused.uri()).namespace("cb-timeout")
            .commandTimeout(Duration.ofMillis(50)).build()) {
      paused.pause();
      try {
        CompletableFuture<String> chained = tier.getAll(List.of("k")).thenApply(found -> {
          assertEquals(Map.of(), found, "a timed-out read is an all-miss");
          return Thread.currentThread().getName();
        });
        String thread = chained.get(5, TimeUnit.SECONDS);
        assertTrue(thread.startsWith("personalization-redis-redis-callback-"), "completed on " + thread);
      } finally {
        paused.resume();
      }
    }
  }
}
