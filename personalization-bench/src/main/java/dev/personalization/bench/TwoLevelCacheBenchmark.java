package dev.personalization.bench;

import dev.personalization.cache.CacheLoader;
import dev.personalization.cache.CachePolicy;
import dev.personalization.cache.CacheTier;
import dev.personalization.cache.FreshnessClass;
import dev.personalization.cache.TieredCache;
import dev.personalization.cache.caffeine.CaffeineTier;
import dev.personalization.cache.redis.RedisCacheTier;
import dev.personalization.cache.redis.RedisTier;
import dev.personalization.cache.redis.VectorCodec;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.redisson.Redisson;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.client.codec.BaseCodec;
import org.redisson.client.codec.StringCodec;
import org.redisson.client.protocol.Decoder;
import org.redisson.client.protocol.Encoder;
import org.redisson.codec.CompositeCodec;
import org.redisson.config.Config;

/**
 * Our L1+L2 {@link TieredCache} (Caffeine + the Redis tier) side by side with an established
 * two-level cache, Redisson's {@link RLocalCachedMap} (a local cache in front of a Redis hash,
 * invalidated over pub/sub), on the same redis-server, with the same 10,000 keys and the same values:
 * 32-float vectors, which both decode with {@link VectorCodec} straight from their client's receive
 * buffer (Redisson through a codec adapter), so the comparison is of the caches, not of serializers.
 *
 * <ul>
 *   <li>{@code *Hit}: one key, always in L1 (both local caches hold all keys).
 *   <li>{@code *L1Miss200}: 200 keys, with the local cache emptied before each call (not timed), so
 *       all 200 come from Redis in one bulk read (our MGET, Redisson's HMGET) and are decoded and
 *       put in L1.
 * </ul>
 *
 * <pre>
 * java -jar personalization-bench/target/benchmarks.jar TwoLevelCacheBenchmark -f 1 -wi 2 -w 2s -i 3 -r 3s
 * </pre>
 *
 * <p>Hit benchmarks report throughput and, in sample mode, percentiles (P99); miss benchmarks
 * report average time and percentiles.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class TwoLevelCacheBenchmark {

  static final int KEYS = 10_000;
  static final int BATCH = 200;

  private LocalRedisServer server;
  private CacheTier l1;
  private RedisCacheTier l2;
  private TieredCache ours;
  private RedissonClient redisson;
  private RLocalCachedMap<String, FeatureVector> theirs;
  private final List<String> keys = new ArrayList<>();

  /** The loader is never reached: every key is in Redis. It fails loudly if it is. */
  private static final CacheLoader NO_LOADER = ks -> CompletableFuture.failedFuture(
      new IllegalStateException("the benchmark reached the loader for " + ks.size() + " keys"));

  @Setup(Level.Trial)
  public void start() throws Exception {
    server = LocalRedisServer.start();
    l1 = CaffeineTier.builder().maximumEntries(100_000).build();
    l2 = RedisTier.builder().uri(server.uri()).namespace("twolevel").commandTimeout(Duration.ofSeconds(1)).build();
    ours = TieredCache.of(List.of(l1, l2), CachePolicy.ofDefaults(), new SimpleMeterRegistry(), l2.invalidationBus());

    Config config = new Config();
    config.useSingleServer().setAddress(server.uri()).setTimeout(1_000);
    // Our tier runs on Netty's native epoll transport when it loads (personalization-cache brings
    // it); Redisson only uses it when told to, so it is told to, and both ride the same transport.
    if (io.lettuce.core.resource.EpollProvider.isAvailable()) {
      config.setTransportMode(org.redisson.config.TransportMode.EPOLL);
    }
    config.setCodec(new CompositeCodec(StringCodec.INSTANCE, new VectorValueCodec(), new VectorValueCodec()));
    redisson = Redisson.create(config);
    theirs = redisson.getLocalCachedMap(LocalCachedMapOptions.<String, FeatureVector>name("twolevel-redisson")
        .cacheSize(100_000)
        .syncStrategy(LocalCachedMapOptions.SyncStrategy.INVALIDATE)
        .evictionPolicy(LocalCachedMapOptions.EvictionPolicy.LRU));

    Map<String, FeatureVector> values = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      String key = "pe:item:sku-" + i + ":item:v1";
      keys.add(key);
      values.put(key, BenchVectors.vector(i));
    }
    // Seeded in chunks: one 10,000-key write could outlast the 1 s command timeout on a busy host.
    Map<String, FeatureVector> chunk = new HashMap<>();
    for (Map.Entry<String, FeatureVector> e : values.entrySet()) {
      chunk.put(e.getKey(), e.getValue());
      if (chunk.size() == 500) {
        ours.putAll(chunk, FreshnessClass.STATIC).get(30, TimeUnit.SECONDS);
        chunk.clear();
      }
    }
    ours.putAll(chunk, FreshnessClass.STATIC).get(30, TimeUnit.SECONDS);
    if (ours.getAll(keys, FreshnessClass.STATIC, NO_LOADER).get(30, TimeUnit.SECONDS).size() != KEYS) {
      throw new IllegalStateException("seeding failed");
    }
    theirs.putAll(values);
    for (String k : keys) {
      theirs.get(k);
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    redisson.shutdown();
    l2.close();
    server.close();
  }

  private String randomKey() {
    return keys.get(ThreadLocalRandom.current().nextInt(KEYS));
  }

  @Benchmark
  @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public FeatureVector oursHit() {
    return ours.get(randomKey(), FreshnessClass.STATIC, NO_LOADER).join();
  }

  @Benchmark
  @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public FeatureVector redissonHit() {
    return theirs.get(randomKey());
  }

  /**
   * State of the miss benchmarks: before each call (not timed) picks its 200 keys and empties both
   * local caches. Kept off the hit benchmarks, where per-call setup would distort nanosecond timings.
   */
  @State(Scope.Thread)
  public static class Cold {
    List<String> batch;
    Set<String> batchSet;

    @Setup(Level.Invocation)
    public void empty(TwoLevelCacheBenchmark b) {
      int start = ThreadLocalRandom.current().nextInt(KEYS - BATCH);
      batch = b.keys.subList(start, start + BATCH);
      batchSet = new LinkedHashSet<>(batch);
      b.l1.clear().join();
      b.theirs.clearLocalCache();
    }
  }

  @Benchmark
  @BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Map<String, FeatureVector> oursL1Miss200(Cold cold) {
    Map<String, FeatureVector> found = ours.getAll(cold.batch, FreshnessClass.STATIC, NO_LOADER).join();
    if (found.size() != BATCH) {
      throw new IllegalStateException("found " + found.size());
    }
    return found;
  }

  @Benchmark
  @BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Map<String, FeatureVector> redissonL1Miss200(Cold cold) {
    Map<String, FeatureVector> found = theirs.getAll(cold.batchSet);
    if (found.size() != BATCH) {
      throw new IllegalStateException("found " + found.size());
    }
    return found;
  }

  /** Redisson codec adapter: values are {@link VectorCodec} bytes, as in our tier. */
  public static final class VectorValueCodec extends BaseCodec {
    private static final String SCHEMA_KEY = "redisson-bench";

    private final Encoder encoder = in -> {
      byte[] bytes = VectorCodec.encode(SCHEMA_KEY, (FeatureVector) in);
      ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(bytes.length);
      buf.writeBytes(bytes);
      return buf;
    };

    // Straight from Redisson's receive buffer, as our tier decodes from Lettuce's: no byte[] copy.
    private final Decoder<Object> decoder = (buf, state) -> {
      FeatureVector v = VectorCodec.decode(SCHEMA_KEY, buf.nioBuffer());
      buf.skipBytes(buf.readableBytes());
      return v;
    };

    public VectorValueCodec() {
    }

    public VectorValueCodec(ClassLoader ignored) {
    }

    @Override
    public Decoder<Object> getValueDecoder() {
      return decoder;
    }

    @Override
    public Encoder getValueEncoder() {
      return encoder;
    }
  }
}
