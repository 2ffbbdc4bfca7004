package dev.personalization.cache.caffeine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.personalization.cache.CacheLoader;
import dev.personalization.cache.CachePolicy;
import dev.personalization.cache.CacheTier;
import dev.personalization.cache.FreshnessClass;
import dev.personalization.cache.TieredCache;
import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The freshness classes end to end: a {@link TieredCache} over a Caffeine L1 with a fake ticker, so
 * that hours pass without sleeping. Jitter only shortens a TTL, so a value must be served until
 * {@code ttl × (1 − jitter)} and must be gone after {@code ttl}; in between it may be either.
 */
class TieredCacheTtlTest {

  private static final FeatureVector VALUE = FeatureVector.of(1, 1, 0L, 0.5f);

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final AtomicInteger loads = new AtomicInteger();
  private final CacheLoader loader = keys -> {
    loads.incrementAndGet();
    return CompletableFuture.completedFuture(Map.of("k", VALUE));
  };

  private TieredCache cacheWith(CachePolicy policy) {
    CacheTier l1 = CaffeineTier.builder().ticker(nanos::get).build();
    return TieredCache.of(List.of(l1), policy, new SimpleMeterRegistry());
  }

  private FeatureVector read(TieredCache cache, FreshnessClass freshness) throws Exception {
    return cache.get("k", freshness, loader).get(5, TimeUnit.SECONDS);
  }

  /** Moves the fake clock to {@code elapsed} after {@code start}, the time of the first read. */
  private void at(long start, Duration elapsed) {
    nanos.set(start + elapsed.toNanos());
  }

  private static Duration shortestTtl(CachePolicy policy, FreshnessClass freshness) {
    return Duration.ofNanos((long) (policy.ttl(freshness).toNanos() * (1 - policy.jitter())));
  }

  @Test
  void dynamicValuesAreServedFromL1UntilJitteredTtlAndReloadedAfterFiveMinutes() throws Exception {
    CachePolicy policy = CachePolicy.ofDefaults();
    TieredCache cache = cacheWith(policy);
    long start = nanos.get();

    assertEquals(VALUE, read(cache, FreshnessClass.DYNAMIC));
    assertEquals(1, loads.get());

    at(start, shortestTtl(policy, FreshnessClass.DYNAMIC).minusNanos(1));
    assertEquals(VALUE, read(cache, FreshnessClass.DYNAMIC));
    assertEquals(1, loads.get(), "reloaded before 5 min × (1 − jitter)");

    at(start, Duration.ofMinutes(5).plusNanos(1));
    assertEquals(VALUE, read(cache, FreshnessClass.DYNAMIC));
    assertEquals(2, loads.get(), "still cached after 5 min");

    // The reload was written back, so the next read is an L1 hit again.
    assertEquals(VALUE, read(cache, FreshnessClass.DYNAMIC));
    assertEquals(2, loads.get());
  }

  @Test
  void staticValuesSurviveTwentyThreeHoursAndAreGoneAfterTwentyFour() throws Exception {
    // The default 10% jitter may take up to 2.4 h off a 24 h TTL, which would make "survives 23 h"
    // a coin toss; 4% takes at most 57.6 min off, so 23 h is always inside the promise.
    CachePolicy policy = CachePolicy.custom().jitter(0.04).build();
    TieredCache cache = cacheWith(policy);
    long start = nanos.get();

    read(cache, FreshnessClass.STATIC);

    at(start, Duration.ofHours(23));
    assertEquals(VALUE, read(cache, FreshnessClass.STATIC));
    assertEquals(1, loads.get(), "reloaded before 23 h");

    at(start, Duration.ofHours(24).plusNanos(1));
    assertEquals(VALUE, read(cache, FreshnessClass.STATIC));
    assertEquals(2, loads.get(), "still cached after 24 h");
  }

  @Test
  void realtimeValuesAreNeverCached() throws Exception {
    CacheTier l1 = CaffeineTier.builder().ticker(nanos::get).build();
    TieredCache cache = TieredCache.of(List.of(l1), CachePolicy.ofDefaults(), new SimpleMeterRegistry());

    for (int i = 1; i <= 3; i++) {
      assertEquals(VALUE, read(cache, FreshnessClass.REALTIME));
      assertEquals(i, loads.get());
    }
    assertNull(l1.getIfPresent("k"), "a REALTIME value reached L1");
  }

  @Test
  void aConfiguredTtlReplacesTheDefault() throws Exception {
    CachePolicy policy = CachePolicy.custom().ttl(FreshnessClass.DYNAMIC, Duration.ofSeconds(30)).jitter(0).build();
    TieredCache cache = cacheWith(policy);
    long start = nanos.get();

    read(cache, FreshnessClass.DYNAMIC);
    at(start, Duration.ofSeconds(30).minusNanos(1));
    read(cache, FreshnessClass.DYNAMIC);
    assertEquals(1, loads.get());

    at(start, Duration.ofSeconds(30));
    read(cache, FreshnessClass.DYNAMIC);
    assertEquals(2, loads.get());
  }
}
