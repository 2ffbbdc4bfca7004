package dev.personalization.bench;

import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.redis.RedisCacheTier;
import dev.personalization.cache.redis.RedisTier;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.feature.FeatureVector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * The Redis (L2) tier alone, against a local redis-server it starts itself (the binary shipped in
 * embedded-redis, through the cache module's test-jar {@link LocalRedisServer}): one key, 200 keys
 * in one {@code getAll} (one MGET), and 200 separate single-key gets in flight at once. Values are
 * 32-float vectors. Every call must find all its keys, or the benchmark fails rather than timing
 * misses. The tier runs with a 1 s command timeout so that a busy host measures latency, not
 * fail-soft skips.
 *
 * <pre>
 * java -jar personalization-bench/target/benchmarks.jar RedisTierBenchmark -f 1 -wi 2 -w 2s -i 3 -r 3s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class RedisTierBenchmark {

  static final int KEYS = 10_000;
  static final int BATCH = 200;

  private LocalRedisServer server;
  private RedisCacheTier tier;
  private final List<String> keys = new ArrayList<>();

  @Setup(Level.Trial)
  public void start() throws Exception {
    server = LocalRedisServer.start();
    tier = RedisTier.builder().uri(server.uri()).namespace("bench").commandTimeout(Duration.ofSeconds(1)).build();
    keys.addAll(seed(tier));
  }

  /** Writes {@value #KEYS} item vectors and returns their keys, in order. */
  static List<String> seed(RedisCacheTier tier) throws Exception {
    List<String> keys = new ArrayList<>();
    List<CacheEntry> entries = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      String key = "pe:item:sku-" + i + ":item:v1";
      keys.add(key);
      entries.add(new CacheEntry(key, BenchVectors.vector(i), Duration.ofHours(1)));
    }
    // Seeded in chunks: one 10,000-key write could outlast the 1 s command timeout on a busy host.
    for (int from = 0; from < entries.size(); from += 500) {
      tier.putAll(entries.subList(from, Math.min(entries.size(), from + 500))).get(30, TimeUnit.SECONDS);
    }
    return keys;
  }

  @TearDown(Level.Trial)
  public void stop() {
    tier.close();
    server.close();
  }

  private List<String> randomKeys(int n) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<String> batch = new ArrayList<>(n);
    int start = random.nextInt(KEYS - n);
    for (int i = 0; i < n; i++) {
      batch.add(keys.get(start + i));
    }
    return batch;
  }

  private static <T> T checked(Map<String, FeatureVector> found, int expected, T result) {
    if (found.size() != expected) {
      throw new IllegalStateException("found " + found.size() + " of " + expected + " keys: Redis did not answer in time");
    }
    return result;
  }

  @Benchmark
  public Map<String, FeatureVector> getOne() {
    Map<String, FeatureVector> found = tier.getAll(List.of(keys.get(ThreadLocalRandom.current().nextInt(KEYS)))).join();
    return checked(found, 1, found);
  }

  @Benchmark
  public Map<String, FeatureVector> getAll200() {
    Map<String, FeatureVector> found = tier.getAll(randomKeys(BATCH)).join();
    return checked(found, BATCH, found);
  }

  @Benchmark
  public int get200Separately() {
    List<String> batch = randomKeys(BATCH);
    @SuppressWarnings("unchecked")
    CompletableFuture<Map<String, FeatureVector>>[] gets = new CompletableFuture[BATCH];
    for (int i = 0; i < BATCH; i++) {
      gets[i] = tier.getAll(List.of(batch.get(i)));
    }
    CompletableFuture.allOf(gets).join();
    int found = 0;
    for (CompletableFuture<Map<String, FeatureVector>> g : gets) {
      found += g.join().size();
    }
    if (found != BATCH) {
      throw new IllegalStateException("found " + found + " of " + BATCH);
    }
    return found;
  }
}
