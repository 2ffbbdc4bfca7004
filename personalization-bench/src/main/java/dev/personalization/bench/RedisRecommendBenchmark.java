package dev.personalization.bench;

import dev.personalization.Event;
import dev.personalization.Item;
import dev.personalization.PersonalizationEngine;
import dev.personalization.RecommendationRequest;
import dev.personalization.Recommendations;
import dev.personalization.Scenario;
import dev.personalization.cache.CacheTier;
import dev.personalization.cache.caffeine.CaffeineTier;
import dev.personalization.cache.redis.RedisCacheTier;
import dev.personalization.cache.redis.RedisTier;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.feature.FeatureStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code recommend} over a Caffeine L1 and the Redis L2, 200 candidates per request: with the L1
 * emptied before each request (not timed) while Redis holds every item and user vector (cold L1,
 * warm L2), and, for reference, with the L1 warm. The store is the in-memory one; a request that
 * degrades fails the benchmark.
 *
 * <pre>
 * java -jar personalization-bench/target/benchmarks.jar RedisRecommendBenchmark -f 1 -wi 2 -w 2s -i 3 -r 3s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class RedisRecommendBenchmark {

  static final int ITEMS = 2_000;
  static final int USERS = 200;
  static final int CANDIDATES = 200;

  private LocalRedisServer server;
  private CacheTier l1;
  private RedisCacheTier l2;
  private PersonalizationEngine engine;
  private final List<String> itemIds = new ArrayList<>();

  @Setup(Level.Trial)
  public void start() {
    server = LocalRedisServer.start();
    l1 = CaffeineTier.builder().maximumEntries(100_000).build();
    l2 = RedisTier.builder().uri(server.uri()).namespace("bench-rec").commandTimeout(Duration.ofSeconds(1)).build();
    engine = PersonalizationEngine.builder()
        .addCacheTier(l1).addCacheTier(l2).invalidationBus(l2.invalidationBus())
        .featureStore(FeatureStore.inMemory())
        .itemColumns(List.of("quality"))
        .build();
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      items.add(new Item("sku-" + i, "c" + (i % 20), new float[] {i / (float) ITEMS}));
      itemIds.add("sku-" + i);
    }
    for (int from = 0; from < ITEMS; from += 500) {
      engine.upsertItems(items.subList(from, from + 500));
    }
    List<String> itemKeys = itemIds.stream().map(id -> "pe:item:" + id + ":item:v1").toList();
    int inRedis = l2.getAll(itemKeys).join().size();
    if (inRedis != ITEMS) {
      throw new IllegalStateException("only " + inRedis + " of " + ITEMS + " item vectors reached Redis");
    }
    List<Event> events = new ArrayList<>();
    for (int u = 0; u < USERS; u++) {
      for (int e = 0; e < 5; e++) {
        events.add(Event.of("e-" + u + "-" + e, "user-" + u, "sku-" + ((u * 7 + e) % ITEMS), "click", Instant.now().minusSeconds(60)));
      }
    }
    engine.ingest(events);
  }

  @TearDown(Level.Trial)
  public void stop() {
    engine.close();
    server.close();
  }

  /** Empties the L1 before each request (not timed): every vector then comes from Redis. */
  @State(Scope.Thread)
  public static class ColdL1 {
    @Setup(Level.Invocation)
    public void empty(RedisRecommendBenchmark b) {
      b.l1.clear().join();
    }
  }

  private RecommendationRequest request() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int start = random.nextInt(ITEMS - CANDIDATES);
    return RecommendationRequest.builder("user-" + random.nextInt(USERS), Scenario.HOMEPAGE)
        .candidates(itemIds.subList(start, start + CANDIDATES)).limit(20).deadline(Duration.ofSeconds(2)).build();
  }

  private static Recommendations checked(Recommendations r) {
    if (r.degraded()) {
      throw new IllegalStateException("degraded: " + r.reason());
    }
    return r;
  }

  @Benchmark
  public Recommendations recommendColdL1WarmL2(ColdL1 cold) {
    return checked(engine.recommendNow(request()));
  }

  @Benchmark
  public Recommendations recommendWarmL1() {
    return checked(engine.recommendNow(request()));
  }
}
