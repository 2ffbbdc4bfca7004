package dev.personalization.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.CacheLoader;
import dev.personalization.cache.CachePolicy;
import dev.personalization.cache.CacheTier;
import dev.personalization.cache.FreshnessClass;
import dev.personalization.cache.TieredCache;
import dev.personalization.cache.caffeine.CaffeineTier;
import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cost of an L1 hit through {@link TieredCache} against a bare Caffeine lookup. Goal: a tiered
 * L1 hit costs at most twice a raw {@code Cache.getIfPresent}.
 *
 * <p>10,000 warm keys, every lookup a hit; a per-thread index walks the keys so that the choice
 * costs an increment and a compare. Key strings are built once, so neither side pays for hashing a
 * new string. The raw cache is the strictest baseline: Caffeine's defaults with a size bound, whose
 * maintenance runs on Caffeine's own pool (the tier runs it on the caller's thread and records
 * statistics, and that cost is counted against us). The loader fails if it is ever called.
 *
 * <p>The tier reports only one read in {@link CaffeineTier#DEFAULT_READ_SAMPLING} to Caffeine's
 * eviction policy, which a bare {@code getIfPresent} does on every read. So that this saving is not
 * mistaken for the tier's own overhead, the {@code caffeineSampled*} baselines read bare Caffeine
 * the same way: the tier's cost over them is what {@link TieredCache} and the tier add.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class TieredCacheBenchmark {

  static final int KEYS = 10_000;
  static final int BULK = 200;
  /** Distinct 200-key batches for getAll, each a contiguous window of the warm keys. */
  static final int BATCHES = KEYS / BULK;

  String[] keys;
  List<List<String>> batches;
  Cache<String, FeatureVector> caffeine;
  TieredCache tiered;
  CacheLoader failingLoader;

  @Setup(Level.Trial)
  public void setUp() {
    keys = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "pe:item:sku-" + i + ":item:v1";
    }
    batches = new ArrayList<>(BATCHES);
    for (int b = 0; b < BATCHES; b++) {
      batches.add(List.copyOf(Arrays.asList(keys).subList(b * BULK, (b + 1) * BULK)));
    }
    Duration ttl = Duration.ofHours(1);
    // The strictest baseline: Caffeine's defaults with a size bound (maintenance on its own pool,
    // no statistics, no expiry).
    caffeine = Caffeine.newBuilder()
        .maximumSize(2L * KEYS)
        .build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CacheTier l1 = CaffeineTier.builder().name("l1").maximumEntries(2L * KEYS).meterRegistry(registry).build();
    tiered = TieredCache.of(List.of(l1), CachePolicy.ofDefaults(), registry);
    List<CacheEntry> entries = new ArrayList<>(KEYS);
    for (int i = 0; i < KEYS; i++) {
      FeatureVector v = FeatureVector.of(1, 1, 1_700_000_000_000L, new float[] {i, 0.5f, 0.25f}, new long[] {i});
      caffeine.put(keys[i], v);
      entries.add(new CacheEntry(keys[i], v, ttl));
    }
    l1.putAll(entries).join();
    failingLoader = missing -> CompletableFuture.failedFuture(
        new IllegalStateException("the loader was called for " + missing.size() + " keys: the L1 tier is not warm"));
    // Every lookup below must be an L1 hit; check once rather than trust it.
    for (String k : keys) {
      if (tiered.get(k, FreshnessClass.DYNAMIC, failingLoader).join() == null) {
        throw new IllegalStateException("L1 miss for " + k);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    for (CacheTier t : tiered.tiers()) {
      t.close();
    }
  }

  /** A per-thread walk over the keys and batches. */
  @State(Scope.Thread)
  public static class Cursor {
    int key;
    int batch;

    int nextKey() {
      int k = key + 1;
      key = k == KEYS ? 0 : k;
      return key;
    }

    int nextBatch() {
      int b = batch + 1;
      batch = b == BATCHES ? 0 : b;
      return batch;
    }
  }

  /** Baseline: a bare Caffeine hit. */
  @Benchmark
  public void caffeineGetIfPresent(Cursor c, Blackhole bh) {
    bh.consume(caffeine.getIfPresent(keys[c.nextKey()]));
  }

  /** Baseline with the tier's read sampling: one read in 8 reported to the policy, the rest quiet. */
  @Benchmark
  public void caffeineSampledRead(Cursor c, Blackhole bh) {
    bh.consume(sampledRead(keys[c.nextKey()]));
  }

  private FeatureVector sampledRead(String key) {
    return ThreadLocalRandom.current().nextInt(CaffeineTier.DEFAULT_READ_SAMPLING) == 0
        ? caffeine.getIfPresent(key) : caffeine.policy().getIfPresentQuietly(key);
  }

  /** One key through TieredCache's synchronous L1 fast path, future joined. */
  @Benchmark
  public void tieredGetL1Hit(Cursor c, Blackhole bh) {
    bh.consume(tiered.get(keys[c.nextKey()], FreshnessClass.DYNAMIC, failingLoader).join());
  }

  /** Baseline for the bulk read: 200 bare Caffeine hits. */
  @Benchmark
  public void caffeineGetIfPresent200(Cursor c, Blackhole bh) {
    List<String> batch = batches.get(c.nextBatch());
    for (int i = 0; i < BULK; i++) {
      bh.consume(caffeine.getIfPresent(batch.get(i)));
    }
  }

  /** Baseline for the bulk read with the tier's read sampling. */
  @Benchmark
  public void caffeineSampledRead200(Cursor c, Blackhole bh) {
    List<String> batch = batches.get(c.nextBatch());
    for (int i = 0; i < BULK; i++) {
      bh.consume(sampledRead(batch.get(i)));
    }
  }

  /** 200 keys, all L1 hits, through one TieredCache.getAll, future joined. */
  @Benchmark
  public void tieredGetAll200L1Hits(Cursor c, Blackhole bh) {
    Map<String, FeatureVector> found = tiered.getAll(batches.get(c.nextBatch()), FreshnessClass.DYNAMIC, failingLoader).join();
    bh.consume(found);
  }
}
