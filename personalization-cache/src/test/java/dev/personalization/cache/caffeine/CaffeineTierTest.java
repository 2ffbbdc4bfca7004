package dev.personalization.cache.caffeine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.CacheTier;
import dev.personalization.cache.CacheTierContract;
import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Runs the {@link CacheTierContract} against the Caffeine tier, then checks what is Caffeine's own. */
class CaffeineTierTest extends CacheTierContract {

  /** Fake time for the Caffeine-specific tests; starts away from zero so that nothing relies on it. */
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Override
  protected CacheTier createTier() {
    return CaffeineTier.builder().build();
  }

  private CacheTier tierWithFakeTime() {
    return CaffeineTier.builder().ticker(nanos::get).build();
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  private static FeatureVector v(long version) {
    return FeatureVector.of(1, version, 0L, 1f, 2f, 3f);
  }

  private static void put(CacheTier tier, String key, FeatureVector value, Duration ttl) throws Exception {
    await(tier.putAll(List.of(new CacheEntry(key, value, ttl))));
  }

  private static CaffeineCacheTier caffeine(CacheTier tier) {
    return (CaffeineCacheTier) tier;
  }

  // --- per-entry expiry ------------------------------------------------------------------------

  @Test
  void anEntryLivesExactlyItsTtl() throws Exception {
    CacheTier tier = tierWithFakeTime();
    put(tier, "k", v(1), Duration.ofSeconds(10));

    advance(Duration.ofSeconds(10).minusNanos(1));
    assertEquals(v(1), tier.getIfPresent("k"));
    assertEquals(Map.of("k", v(1)), await(tier.getAll(List.of("k"))));

    advance(Duration.ofNanos(1));
    assertNull(tier.getIfPresent("k"));
    assertEquals(Map.of(), await(tier.getAll(List.of("k"))));
  }

  @Test
  void anExpiredEntryFoundByAReadLeavesTheCache() throws Exception {
    CacheTier tier = tierWithFakeTime();
    put(tier, "a", v(1), Duration.ofSeconds(1));
    put(tier, "b", v(1), Duration.ofSeconds(1));
    put(tier, "c", v(1), Duration.ofHours(1));
    advance(Duration.ofSeconds(2));

    assertNull(tier.getIfPresent("a"));
    assertEquals(Map.of("c", v(1)), await(tier.getAll(List.of("b", "c"))));
    caffeine(tier).caffeine().cleanUp();
    assertEquals(1, caffeine(tier).caffeine().estimatedSize(), "only the live entry is left");
  }

  @Test
  void eachEntryKeepsItsOwnTtl() throws Exception {
    CacheTier tier = tierWithFakeTime();
    await(tier.putAll(List.of(
        new CacheEntry("short", v(1), Duration.ofMinutes(1)),
        new CacheEntry("long", v(1), Duration.ofHours(1)))));

    advance(Duration.ofMinutes(2));

    assertEquals(Map.of("long", v(1)), await(tier.getAll(List.of("short", "long"))));
  }

  @Test
  void readsDoNotExtendAnEntry() throws Exception {
    CacheTier tier = tierWithFakeTime();
    put(tier, "k", v(1), Duration.ofSeconds(10));

    for (int i = 0; i < 9; i++) {
      advance(Duration.ofSeconds(1));
      assertNotNull(tier.getIfPresent("k"));
    }
    advance(Duration.ofSeconds(1));

    assertNull(tier.getIfPresent("k"));
  }

  @Test
  void aRejectedOlderWriteDoesNotExtendTheHeldValue() throws Exception {
    CacheTier tier = tierWithFakeTime();
    put(tier, "k", v(2), Duration.ofSeconds(10));
    advance(Duration.ofSeconds(5));

    put(tier, "k", v(1), Duration.ofHours(1));

    advance(Duration.ofSeconds(5).minusNanos(1));
    assertEquals(v(2), tier.getIfPresent("k"));
    advance(Duration.ofNanos(1));
    assertNull(tier.getIfPresent("k"));
  }

  @Test
  void anAcceptedWriteBringsItsOwnTtl() throws Exception {
    CacheTier tier = tierWithFakeTime();
    put(tier, "k", v(2), Duration.ofSeconds(10));
    advance(Duration.ofSeconds(5));

    put(tier, "k", v(2), Duration.ofSeconds(2));

    advance(Duration.ofSeconds(2).minusNanos(1));
    assertEquals(v(2), tier.getIfPresent("k"));
    advance(Duration.ofNanos(1));
    assertNull(tier.getIfPresent("k"));
  }

  @Test
  void anOlderWriteReplacesAnExpiredNewerValue() throws Exception {
    CacheTier tier = tierWithFakeTime();
    put(tier, "k", v(2), Duration.ofSeconds(1));
    advance(Duration.ofSeconds(2));

    put(tier, "k", v(1), Duration.ofSeconds(10));

    assertEquals(v(1), tier.getIfPresent("k"));
  }

  @Test
  void aTtlBeyondWhatNanosecondsHoldIsAccepted() throws Exception {
    CacheTier tier = tierWithFakeTime();

    put(tier, "k", v(1), Duration.ofSeconds(Long.MAX_VALUE));
    advance(Duration.ofDays(365 * 100));

    assertEquals(v(1), tier.getIfPresent("k"));
  }

  @Test
  void aBatchReadMissesAnExpiredEntryAndRemovesIt() throws Exception {
    CacheTier tier = tierWithFakeTime();
    put(tier, "short", v(1), Duration.ofSeconds(10));
    put(tier, "long", v(2), Duration.ofSeconds(60));
    advance(Duration.ofSeconds(10));
    FeatureVector[] into = new FeatureVector[2];

    tier.getIfPresent(List.of("short", "long"), into);

    assertNull(into[0]);
    assertEquals(v(2), into[1]);
    assertNull(caffeine(tier).caffeine().policy().getIfPresentQuietly("short"), "the expired entry is still held");
  }

  // --- bounds ----------------------------------------------------------------------------------

  @Test
  void theDefaultBoundIsOneHundredThousandEntries() {
    var eviction = caffeine(createTier()).caffeine().policy().eviction().orElseThrow();

    assertEquals(CaffeineTier.DEFAULT_MAXIMUM_ENTRIES, eviction.getMaximum());
    assertTrue(eviction.weightedSize().isEmpty(), "an entry-bounded tier has no weigher");
  }

  @Test
  void anEntryBoundedTierStaysWithinItsBound() throws Exception {
    CacheTier tier = CaffeineTier.builder().maximumEntries(100).build();
    List<CacheEntry> entries = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      entries.add(new CacheEntry("k" + i, v(i), TTL));
    }

    await(tier.putAll(entries));
    caffeine(tier).caffeine().cleanUp();

    long size = caffeine(tier).caffeine().estimatedSize();
    assertTrue(size > 0 && size <= 100, "size " + size);
  }

  @Test
  void aByteBoundedTierWeighsVectorsAndKeys() throws Exception {
    CacheTier tier = CaffeineTier.builder().maximumBytes(1_000_000).build();
    FeatureVector vector = FeatureVector.of(1, 1, 0L, new float[32], new long[] {1, 2, 3});

    put(tier, "user:42", vector, TTL);
    caffeine(tier).caffeine().cleanUp();

    long weight = caffeine(tier).caffeine().policy().eviction().orElseThrow().weightedSize().orElseThrow();
    assertEquals(vector.estimatedBytes() + 2L * "user:42".length(), weight);
  }

  @Test
  void aByteBoundedTierStaysWithinItsBound() throws Exception {
    long maximumBytes = 20_000;
    CacheTier tier = CaffeineTier.builder().maximumBytes(maximumBytes).build();
    List<CacheEntry> entries = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      entries.add(new CacheEntry("k" + i, FeatureVector.of(1, i, 0L, new float[16]), TTL));
    }

    await(tier.putAll(entries));
    caffeine(tier).caffeine().cleanUp();

    var eviction = caffeine(tier).caffeine().policy().eviction().orElseThrow();
    long weight = eviction.weightedSize().orElseThrow();
    assertEquals(maximumBytes, eviction.getMaximum());
    assertTrue(weight > 0 && weight <= maximumBytes, "weight " + weight);
    assertTrue(caffeine(tier).caffeine().estimatedSize() < 1_000, "nothing was evicted");
  }

  // --- read sampling ---------------------------------------------------------------------------

  @Test
  void everyReadCountsInTheStatisticsThoughOnlyASampleInformsEviction() throws Exception {
    CacheTier tier = CaffeineTier.builder().build();
    put(tier, "hit", v(1), TTL);

    for (int i = 0; i < 1_000; i++) {
      assertNotNull(tier.getIfPresent("hit"));
      assertNull(tier.getIfPresent("miss"));
    }
    await(tier.getAll(List.of("hit", "miss")));
    for (int i = 0; i < 100; i++) {
      tier.getIfPresent(List.of("hit", "miss", "hit"), new FeatureVector[3]);
    }

    var stats = caffeine(tier).caffeine().stats();
    assertEquals(1_201, stats.hitCount());
    assertEquals(1_101, stats.missCount());
  }

  /**
   * A key read often outlives a flood of keys written once and never read, as in a plain Caffeine
   * cache; and it does so because of the sampled reads: when no read is reported, the same flood
   * evicts it.
   */
  @Test
  void aKeyReadOftenSurvivesAFloodOfOneOffKeysOnlyBecauseItsReadsAreSampled() throws Exception {
    assertTrue(survivesFlood(CaffeineTier.DEFAULT_READ_SAMPLING), "the hot key was evicted");
    assertTrue(!survivesFlood(Integer.MAX_VALUE), "the hot key survived without any reported read");
  }

  private static boolean survivesFlood(int readSampling) throws Exception {
    CacheTier tier = CaffeineTier.builder().maximumEntries(100).readSampling(readSampling).build();
    for (int i = 0; i < 100; i++) {
      put(tier, "warm" + i, v(1), TTL);
    }
    put(tier, "hot", v(1), TTL);
    for (int i = 0; i < 2_000; i++) {
      tier.getIfPresent("hot");
      if (i % 100 == 0) {
        caffeine(tier).caffeine().cleanUp();
      }
    }
    for (int i = 0; i < 2_000; i++) {
      put(tier, "flood" + i, v(1), TTL);
      if (i % 100 == 0) {
        caffeine(tier).caffeine().cleanUp();
      }
    }
    caffeine(tier).caffeine().cleanUp();
    return caffeine(tier).caffeine().policy().getIfPresentQuietly("hot") != null;
  }

  @Test
  void aPeekCountsInNoStatisticsAndMissesAnExpiredEntry() throws Exception {
    CacheTier tier = tierWithFakeTime();
    put(tier, "k", v(1), Duration.ofSeconds(10));

    assertEquals(v(1), tier.peek("k"));
    assertNull(tier.peek("other"));
    assertEquals(0, caffeine(tier).caffeine().stats().requestCount(), "peeks counted as lookups");

    advance(Duration.ofSeconds(10));
    assertNull(tier.peek("k"), "an expired entry was peeked");
    tier.getIfPresent("other");
    assertEquals(1, caffeine(tier).caffeine().stats().missCount(), "a caller's lookup counts");
  }

  @Test
  void readSamplingBelowOneIsRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CaffeineTier.builder().readSampling(0));
    assertTrue(e.getMessage().contains("readSampling"), e.getMessage());
  }

  // --- builder ---------------------------------------------------------------------------------

  @Test
  void bothBoundsAreRejectedNamingBoth() {
    CaffeineTier.Builder builder = CaffeineTier.builder().maximumEntries(10).maximumBytes(1_000);

    IllegalStateException e = assertThrows(IllegalStateException.class, builder::build);

    assertTrue(e.getMessage().contains("maximumEntries (10)"), e.getMessage());
    assertTrue(e.getMessage().contains("maximumBytes (1000)"), e.getMessage());
  }

  @Test
  void badSettingsAreRejectedNamingTheValue() {
    CaffeineTier.Builder builder = CaffeineTier.builder();

    assertMessageContains("0", assertThrows(IllegalArgumentException.class, () -> builder.maximumEntries(0)));
    assertMessageContains("-5", assertThrows(IllegalArgumentException.class, () -> builder.maximumBytes(-5)));
    assertMessageContains("' '", assertThrows(IllegalArgumentException.class, () -> builder.name(" ")));
    assertThrows(NullPointerException.class, () -> builder.ticker(null));
    assertThrows(NullPointerException.class, () -> builder.meterRegistry(null));
  }

  private static void assertMessageContains(String part, Exception e) {
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  @Test
  void defaultsAndName() {
    CacheTier tier = createTier();
    CacheTier named = CaffeineTier.builder().name("hot").maximumBytes(1 << 20).build();

    assertEquals("l1", tier.name());
    assertTrue(tier.inProcess());
    assertEquals("hot", named.name());
    assertEquals("CaffeineTier{name=hot, maximumBytes=1048576}", named.toString());
  }

  // --- metrics ---------------------------------------------------------------------------------

  @Test
  void statisticsArePublishedTaggedWithTheTierName() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    CacheTier tier = CaffeineTier.builder().name("features").meterRegistry(registry).build();
    put(tier, "a", v(1), TTL);

    await(tier.getAll(List.of("a", "b")));
    tier.getIfPresent("a");

    assertEquals(2, cacheGets(registry, "features", "hit"));
    assertEquals(1, cacheGets(registry, "features", "miss"));
    assertEquals(1, registry.get("cache.size").tag("cache", "features").gauge().value());
  }

  @Test
  void closeRemovesTheMetersSoThatASuccessorReportsItsOwn() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    CacheTier first = CaffeineTier.builder().meterRegistry(registry).build();
    put(first, "a", v(1), TTL);
    first.getIfPresent("a");

    first.close();
    assertTrue(registry.find("cache.gets").tag("cache", "l1").meters().isEmpty());
    assertNull(first.getIfPresent("a"), "a closed tier holds nothing");

    CacheTier second = CaffeineTier.builder().meterRegistry(registry).build();
    second.getIfPresent("a");
    assertEquals(0, cacheGets(registry, "l1", "hit"));
    assertEquals(1, cacheGets(registry, "l1", "miss"));
  }

  @Test
  void withoutARegistryNothingIsPublishedButStatsAreRecorded() throws Exception {
    CacheTier tier = createTier();
    put(tier, "a", v(1), TTL);

    tier.getIfPresent("a");

    assertEquals(1, caffeine(tier).caffeine().stats().hitCount());
  }

  private static double cacheGets(MeterRegistry registry, String cache, String result) {
    return registry.get("cache.gets").tag("cache", cache).tag("result", result).functionCounter().count();
  }
}
