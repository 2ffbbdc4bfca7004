package dev.personalization.cache.redis;

import dev.personalization.Event;
import dev.personalization.PersonalizationEngine;
import dev.personalization.cache.caffeine.CaffeineTier;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.feature.FeatureSchema;
import dev.personalization.feature.FeatureStore;
import dev.personalization.feature.FeatureVector;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Engines over a Caffeine L1 and a Redis L2 on a {@link LocalRedisServer}, and a look into Redis. */
final class RedisFixtures {

  private RedisFixtures() {
  }

  /** An engine with an L1 of {@code l1Entries}, the Redis tier and its invalidation bus. */
  static PersonalizationEngine engine(RedisCacheTier redis, FeatureStore store, MeterRegistry registry, long l1Entries) {
    return PersonalizationEngine.builder()
        .addCacheTier(CaffeineTier.builder().maximumEntries(l1Entries).build())
        .addCacheTier(redis)
        .invalidationBus(redis.invalidationBus())
        .featureStore(store)
        .meterRegistry(registry)
        .itemColumns(List.of("quality"))
        .popularityRefresh(Duration.ZERO)
        .build();
  }

  /** A tier with the default (tight) command timeout. */
  static RedisCacheTier tier(LocalRedisServer server, String namespace, MeterRegistry registry) {
    return RedisTier.builder().uri(server.uri()).namespace(namespace).meterRegistry(registry).build();
  }

  /**
   * A tier with a lenient command timeout, for tests that count commands and must not lose one to
   * a cold JVM's first slow call.
   */
  static RedisCacheTier lenientTier(LocalRedisServer server, String namespace, MeterRegistry registry) {
    return RedisTier.builder().uri(server.uri()).namespace(namespace).meterRegistry(registry)
        .commandTimeout(Duration.ofSeconds(1)).build();
  }

  /** INFO commandstats as command name to number of calls. */
  static Map<String, Long> commandCalls(RedisCommands<String, String> admin) {
    Map<String, Long> calls = new HashMap<>();
    for (String line : admin.info("commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_")) {
        String name = line.substring("cmdstat_".length(), line.indexOf(':'));
        String stats = line.substring(line.indexOf(':') + 1);
        for (String part : stats.split(",")) {
          if (part.startsWith("calls=")) {
            calls.put(name, Long.parseLong(part.substring("calls=".length())));
          }
        }
      }
    }
    return calls;
  }

  /** Data commands only: what the tier sent, without the test's own INFO/CONFIG and the bus's (P)SUBSCRIBE. */
  static Map<String, Long> dataCommandCalls(RedisCommands<String, String> admin) {
    Map<String, Long> calls = commandCalls(admin);
    calls.keySet().removeAll(List.of("info", "config", "subscribe", "hello", "client", "ping", "command"));
    return calls;
  }

  static StatefulRedisConnection<String, String> admin(RedisClient client) {
    return client.connect();
  }

  /** A store that takes {@code latency} for every read, like a database would. */
  static FeatureStore slowStore(FeatureStore delegate, Duration latency) {
    return new FeatureStore() {
      @Override
      public Map<String, FeatureVector> fetchMany(FeatureSchema schema, Collection<String> ids) {
        try {
          Thread.sleep(latency.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return delegate.fetchMany(schema, ids);
      }

      @Override
      public boolean compareAndSet(FeatureSchema schema, String id, long expectedVersion, FeatureVector value) {
        return delegate.compareAndSet(schema, id, expectedVersion, value);
      }

      @Override
      public List<Event> appendNew(List<Event> events) {
        return delegate.appendNew(events);
      }
    };
  }
}
