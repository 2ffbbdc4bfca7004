package dev.personalization.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TieredCacheTest {

  private static final long TIMEOUT_SECONDS = 5;
  private static final CachePolicy POLICY = CachePolicy.ofDefaults();

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final RecordingTier l1 = new RecordingTier("l1", true);
  private final RecordingTier l2 = new RecordingTier("l2", false);
  private final CountingLoader loader = new CountingLoader();
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  private TieredCache cache(CacheTier... tiers) {
    return TieredCache.of(List.of(tiers), POLICY, registry);
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private static FeatureVector vector(long version) {
    return FeatureVector.of(1, version, 0L, version);
  }

  private double gets(String tier, FreshnessClass freshness, String result) {
    var counter = registry.find("personalization.cache.gets")
        .tags("tier", tier, "freshness", freshness.name().toLowerCase(Locale.ROOT), "result", result).counter();
    return counter == null ? -1 : counter.count();
  }

  // --- single flight ---------------------------------------------------------------------------

  @Test
  void concurrentMissesOfOneKeyShareOneLoad() throws Exception {
    singleFlight(cache(l1, l2));
  }

  @Test
  void concurrentMissesShareOneLoadWithoutAnyTier() throws Exception {
    singleFlight(cache());
  }

  private void singleFlight(TieredCache cache) throws Exception {
    int threads = 16;
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    CacheLoader blocked = keys -> {
      calls.incrementAndGet();
      return CompletableFuture.supplyAsync(() -> {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        return Map.of("k", vector(1));
      }, pool);
    };
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Future<CompletableFuture<Map<String, FeatureVector>>>> callers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      callers.add(pool.submit(() -> {
        start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return cache.getAll(List.of("k"), FreshnessClass.DYNAMIC, blocked);
      }));
    }
    // getAll registers its flight before returning, so once every caller holds its future, they
    // have all joined the one load; only then may it finish.
    List<CompletableFuture<Map<String, FeatureVector>>> results = new ArrayList<>();
    for (var caller : callers) {
      results.add(caller.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }
    release.countDown();

    for (var result : results) {
      assertEquals(Map.of("k", vector(1)), await(result));
    }
    assertEquals(1, calls.get());
  }

  @Test
  void aFinishedLoadIsNotSharedWithLaterCallers() throws Exception {
    TieredCache cache = cache();

    await(cache.getAll(List.of("k"), FreshnessClass.DYNAMIC, loader.with("k", vector(1))));
    await(cache.getAll(List.of("k"), FreshnessClass.DYNAMIC, loader));

    // Without tiers nothing keeps the value, so the second call loads again instead of reusing the
    // first call's (completed) flight.
    assertEquals(2, loader.calls.size());
  }

  // --- bulk ------------------------------------------------------------------------------------

  @Test
  void bulkReadAsksEachTierOnceAndTheLoaderOnceForTheRest() throws Exception {
    List<String> keys = new ArrayList<>();
    Set<String> expectedLoaded = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String k = "item-" + i;
      keys.add(k);
      if (i < 25) {
        l1.seed(k, vector(i));
      } else if (i < 50) {
        l2.seed(k, vector(i));
      } else {
        expectedLoaded.add(k);
        loader.with(k, vector(i));
      }
    }

    Map<String, FeatureVector> found = await(cache(l1, l2).getAll(keys, FreshnessClass.DYNAMIC, loader));

    assertEquals(200, found.size());
    for (int i = 0; i < 200; i++) {
      assertEquals(vector(i), found.get("item-" + i));
    }
    assertEquals(1, l2.getAllCalls().size());
    assertEquals(175, l2.getAllCalls().get(0).size());
    assertEquals(1, loader.calls.size());
    assertEquals(expectedLoaded, loader.calls.get(0));
  }

  @Test
  void keysTheLoaderDoesNotKnowAreAbsentAndTheAbsenceIsCached() throws Exception {
    TieredCache cache = cache(l1, l2);
    Map<String, FeatureVector> found =
        await(cache.getAll(List.of("a", "b"), FreshnessClass.DYNAMIC, loader.with("a", vector(1))));

    assertEquals(Map.of("a", vector(1)), found);
    assertTrue(l1.entry("b").value().isAbsent());
    assertTrue(l2.entry("b").value().isAbsent());

    // The next lookup of the unknown key is answered by L1 without the loader.
    assertEquals(Map.of(), await(cache.getAll(List.of("b"), FreshnessClass.DYNAMIC, loader)));
    assertNull(await(cache.get("b", FreshnessClass.DYNAMIC, loader)));
    assertEquals(1, loader.calls.size());

    // A real write (version 1 and up) replaces the absence.
    await(cache.putAll(Map.of("b", vector(2)), FreshnessClass.DYNAMIC));
    assertEquals(vector(2), await(cache.get("b", FreshnessClass.DYNAMIC, loader)));
  }

  @Test
  void anAbsenceHeldOnlyByALowerTierIsAnsweredThere() throws Exception {
    l2.seed("gone", FeatureVector.absent());
    Map<String, FeatureVector> found = await(cache(l1, l2).getAll(List.of("gone"), FreshnessClass.DYNAMIC, loader));

    assertEquals(Map.of(), found);
    assertEquals(0, loader.calls.size());
    assertTrue(l1.entry("gone").value().isAbsent());
  }

  @Test
  void duplicateKeysAreLookedUpOnce() throws Exception {
    TieredCache cache = cache(l1, l2);

    Map<String, FeatureVector> found =
        await(cache.getAll(List.of("a", "a", "b", "a"), FreshnessClass.DYNAMIC, loader.with("a", vector(1))));

    assertEquals(Map.of("a", vector(1)), found);
    assertEquals(List.of(Set.of("a", "b")), loader.calls);
    assertEquals(2, gets("l1", FreshnessClass.DYNAMIC, "miss"));
    assertEquals(List.of(List.of("a", "b")), l2.getAllCalls());
  }

  @Test
  void anAlignedReadAnswersByPositionAndAsksEachLevelOnce() throws Exception {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String k = "item-" + i;
      keys.add(k);
      if (i % 4 == 0) {
        l1.seed(k, vector(i));
      } else if (i % 4 == 1) {
        l2.seed(k, vector(i));
      } else if (i % 4 == 2) {
        loader.with(k, vector(i));
      }
      // i % 4 == 3: nobody has it
    }
    l1.seed("item-3", FeatureVector.absent());

    FeatureVector[] values = await(cache(l1, l2).getAllAligned(keys, FreshnessClass.DYNAMIC, loader));

    assertEquals(40, values.length);
    for (int i = 0; i < 40; i++) {
      if (i % 4 == 3) {
        assertNull(values[i], "position " + i);
      } else {
        assertEquals(vector(i), values[i], "position " + i);
      }
    }
    assertEquals(1, l2.getAllCalls().size());
    assertEquals(29, l2.getAllCalls().get(0).size(), "everything but the 10 L1 values and the cached absence");
    assertEquals(1, loader.calls.size());
    assertEquals(19, loader.calls.get(0).size());
    assertEquals(11, gets("l1", FreshnessClass.DYNAMIC, "hit"), "each L1 hit counted once");
    assertEquals(29, gets("l1", FreshnessClass.DYNAMIC, "miss"), "each L1 miss counted once");
  }

  @Test
  void anAlignedReadWorksWithoutAnInProcessTier() throws Exception {
    l2.seed("b", vector(2));
    FeatureVector[] values = await(cache(l2).getAllAligned(List.of("a", "b", "c"), FreshnessClass.DYNAMIC,
        loader.with("a", vector(1))));

    assertNull(values[2]);
    assertEquals(vector(1), values[0]);
    assertEquals(vector(2), values[1]);
    assertEquals(0, await(cache(l2).getAllAligned(List.of(), FreshnessClass.DYNAMIC, loader)).length);
  }

  @Test
  void noKeysMeansNoWork() throws Exception {
    assertEquals(Map.of(), await(cache(l1, l2).getAll(List.of(), FreshnessClass.DYNAMIC, loader)));
    assertEquals(0, loader.calls.size());
    assertEquals(0, l2.getAllCalls().size());
  }

  // --- back-fill -------------------------------------------------------------------------------

  @Test
  void aValueFoundInTierTwoIsWrittenToTierOne() throws Exception {
    l2.seed("k", vector(3));

    FeatureVector found = await(cache(l1, l2).get("k", FreshnessClass.DYNAMIC, loader));

    assertEquals(vector(3), found);
    assertEquals(vector(3), l1.entry("k").value());
    assertJittered(POLICY.ttl(FreshnessClass.DYNAMIC), l1.entry("k").ttl());
    assertEquals(List.of(), l2.writes(), "the tier the value came from is not written again");
    assertEquals(0, loader.calls.size());
  }

  @Test
  void aValueFoundInALowerInProcessTierIsWrittenToTheTopOne() throws Exception {
    RecordingTier l1b = new RecordingTier("l1b", true);
    l1b.seed("k", vector(3));

    assertEquals(vector(3), await(cache(l1, l1b, l2).get("k", FreshnessClass.STATIC, loader)));

    assertEquals(vector(3), l1.entry("k").value());
    assertJittered(POLICY.ttl(FreshnessClass.STATIC), l1.entry("k").ttl());
    assertEquals(0, l2.getAllCalls().size());
  }

  @Test
  void aLoadedValueIsWrittenToEveryTierWithAJitteredTtl() throws Exception {
    await(cache(l1, l2).get("k", FreshnessClass.STATIC, loader.with("k", vector(5))));

    for (RecordingTier tier : List.of(l1, l2)) {
      CacheEntry written = tier.entry("k");
      assertEquals(vector(5), written.value(), tier.name());
      assertJittered(POLICY.ttl(FreshnessClass.STATIC), written.ttl());
    }
  }

  @Test
  void aBackFilledValueIsServedFromTierOneNextTime() throws Exception {
    TieredCache cache = cache(l1, l2);
    await(cache.get("k", FreshnessClass.DYNAMIC, loader.with("k", vector(5))));

    assertEquals(vector(5), await(cache.get("k", FreshnessClass.DYNAMIC, loader)));

    assertEquals(1, loader.calls.size());
    assertEquals(1, l2.getAllCalls().size());
  }

  private static void assertJittered(Duration ttl, Duration actual) {
    Duration shortest = Duration.ofNanos((long) (ttl.toNanos() * (1 - POLICY.jitter())));
    assertTrue(actual.compareTo(shortest) >= 0 && actual.compareTo(ttl) <= 0,
        () -> actual + " is not within [" + shortest + ", " + ttl + "]");
  }

  // --- failures --------------------------------------------------------------------------------

  @Test
  void aTierWhoseFutureFailsCountsAsAMiss() throws Exception {
    TieredCache cache = cache(l1, new FailingTier("broken", false), l2);
    l2.seed("b", vector(2));

    Map<String, FeatureVector> found =
        await(cache.getAll(List.of("a", "b"), FreshnessClass.DYNAMIC, loader.with("a", vector(1))));

    assertEquals(Map.of("a", vector(1), "b", vector(2)), found);
    assertEquals(2, gets("broken", FreshnessClass.DYNAMIC, "miss"));
    // One failed read, then two failed back-fills (of "b" from l2 and of the loaded "a").
    assertEquals(3, registry.get("personalization.cache.tier.errors").tag("tier", "broken").counter().count());
    assertEquals(List.of(Set.of("a")), loader.calls);
  }

  @Test
  void aTierThatThrowsCountsAsAMiss() throws Exception {
    TieredCache cache = cache(new FailingTier("broken", true), l2);

    Map<String, FeatureVector> found =
        await(cache.getAll(List.of("a"), FreshnessClass.DYNAMIC, loader.with("a", vector(1))));

    assertEquals(Map.of("a", vector(1)), found);
    assertEquals(vector(1), l2.entry("a").value(), "a failing tier does not stop the others' back-fill");
  }

  @Test
  void aFailedLoadFailsTheFutureAndIsNotRemembered() throws Exception {
    TieredCache cache = cache(l1, l2);
    IllegalStateException boom = new IllegalStateException("database down");

    CompletableFuture<Map<String, FeatureVector>> failed =
        cache.getAll(List.of("a"), FreshnessClass.DYNAMIC, keys -> CompletableFuture.failedFuture(boom));

    ExecutionException e = assertThrows(ExecutionException.class, () -> await(failed));
    assertSame(boom, rootCause(e));
    assertEquals(Map.of("a", vector(1)), await(cache.getAll(List.of("a"), FreshnessClass.DYNAMIC, loader.with("a", vector(1)))));
  }

  @Test
  void aLoaderThatThrowsFailsTheFutureAndIsNotRemembered() throws Exception {
    List<TieredCache> caches = List.of(cache(), cache(l1), cache(l1, l2));
    for (int i = 0; i < caches.size(); i++) {
      TieredCache cache = caches.get(i);
      // The caches share l1, so each round uses a key the previous ones did not cache.
      String key = "a" + i;
      IllegalStateException boom = new IllegalStateException("bug in loader");
      CacheLoader throwing = keys -> {
        throw boom;
      };

      CompletableFuture<Map<String, FeatureVector>> failed = cache.getAll(List.of(key), FreshnessClass.DYNAMIC, throwing);

      ExecutionException e = assertThrows(ExecutionException.class, () -> await(failed));
      assertSame(boom, rootCause(e));
      // The failed flight must not stay registered, or this call would wait for it forever.
      assertEquals(vector(1), await(cache.get(key, FreshnessClass.DYNAMIC, loader.with(key, vector(1)))));
    }
  }

  @Test
  void aRealtimeLoaderThatThrowsFailsTheFuture() {
    CompletableFuture<Map<String, FeatureVector>> failed = cache(l1).getAll(List.of("a"), FreshnessClass.REALTIME, keys -> {
      throw new IllegalStateException("bug in loader");
    });

    assertThrows(ExecutionException.class, () -> await(failed));
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  // --- realtime --------------------------------------------------------------------------------

  @Test
  void realtimeValuesBypassEveryTier() throws Exception {
    l1.seed("k", vector(1));
    l2.seed("k", vector(1));
    TieredCache cache = cache(l1, l2);

    assertEquals(vector(9), await(cache.get("k", FreshnessClass.REALTIME, loader.with("k", vector(9)))));
    assertEquals(vector(9), await(cache.get("k", FreshnessClass.REALTIME, loader)));

    assertEquals(2, loader.calls.size());
    assertEquals(0, l2.getAllCalls().size());
    assertEquals(List.of(), l1.writes());
    assertEquals(List.of(), l2.writes());
    assertEquals(vector(1), l1.entry("k").value());
    assertEquals(2, gets("loader", FreshnessClass.REALTIME, "hit"));
    assertEquals(0, gets("l1", FreshnessClass.REALTIME, "hit"));
  }

  @Test
  void realtimeValuesAreNotWrittenThrough() throws Exception {
    await(cache(l1, l2).putAll(Map.of("k", vector(1)), FreshnessClass.REALTIME));

    assertEquals(0, l1.size());
    assertEquals(0, l2.size());
  }

  // --- metrics ---------------------------------------------------------------------------------

  @Test
  void hitsAndMissesAreCountedPerTierFreshnessAndResult() throws Exception {
    l1.seed("in-l1", vector(1));
    l2.seed("in-l2", vector(2));
    loader.with("loaded", vector(3));
    TieredCache cache = cache(l1, l2);

    await(cache.getAll(List.of("in-l1", "in-l2", "loaded", "nowhere"), FreshnessClass.DYNAMIC, loader));

    assertEquals(1, gets("l1", FreshnessClass.DYNAMIC, "hit"));
    assertEquals(3, gets("l1", FreshnessClass.DYNAMIC, "miss"));
    assertEquals(1, gets("l2", FreshnessClass.DYNAMIC, "hit"));
    assertEquals(2, gets("l2", FreshnessClass.DYNAMIC, "miss"));
    assertEquals(1, gets("loader", FreshnessClass.DYNAMIC, "hit"));
    assertEquals(1, gets("loader", FreshnessClass.DYNAMIC, "miss"));
    assertEquals(0, gets("l1", FreshnessClass.STATIC, "hit"));

    // Back-filled values are L1 hits now, and so is the key nobody has: its absence was cached.
    await(cache.getAll(List.of("in-l2", "loaded", "nowhere"), FreshnessClass.DYNAMIC, loader));

    assertEquals(4, gets("l1", FreshnessClass.DYNAMIC, "hit"));
    assertEquals(3, gets("l1", FreshnessClass.DYNAMIC, "miss"));
    assertEquals(2, gets("l2", FreshnessClass.DYNAMIC, "miss"));
    assertEquals(1, gets("loader", FreshnessClass.DYNAMIC, "miss"));
  }

  @Test
  void theSingleKeyFastPathCountsAnL1Hit() throws Exception {
    l1.seed("k", vector(1));

    assertEquals(vector(1), await(cache(l1, l2).get("k", FreshnessClass.STATIC, loader)));

    assertEquals(1, gets("l1", FreshnessClass.STATIC, "hit"));
    assertEquals(0, l2.getAllCalls().size());
  }

  // --- writes ----------------------------------------------------------------------------------

  @Test
  void putAllWritesThroughEveryTierWithJitteredTtls() throws Exception {
    await(cache(l1, l2).putAll(Map.of("k", vector(4)), FreshnessClass.DYNAMIC));

    for (RecordingTier tier : List.of(l1, l2)) {
      assertEquals(vector(4), tier.entry("k").value());
      assertJittered(POLICY.ttl(FreshnessClass.DYNAMIC), tier.entry("k").ttl());
    }
  }

  @Test
  void invalidateAllRemovesFromEveryTier() throws Exception {
    l1.seed("a", vector(1));
    l2.seed("a", vector(1));
    l2.seed("b", vector(1));

    await(cache(l1, l2).invalidateAll(List.of("a")));

    assertNull(l1.entry("a"));
    assertNull(l2.entry("a"));
    assertEquals(vector(1), l2.entry("b").value());
  }

  @Test
  void tierNamesMustBeUnique() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> cache(new RecordingTier("same", true), new RecordingTier("same", false)));
    assertTrue(e.getMessage().contains("'same'"), e.getMessage());
  }

  // --- test doubles ----------------------------------------------------------------------------

  /** Answers from a fixed map and records the key set of every call. */
  private static final class CountingLoader implements CacheLoader {
    private final Map<String, FeatureVector> values = new HashMap<>();
    final List<Set<String>> calls = new CopyOnWriteArrayList<>();

    CountingLoader with(String key, FeatureVector value) {
      values.put(key, value);
      return this;
    }

    @Override
    public CompletableFuture<Map<String, FeatureVector>> loadAll(Set<String> keys) {
      calls.add(Set.copyOf(keys));
      Map<String, FeatureVector> found = new HashMap<>();
      for (String k : keys) {
        if (values.containsKey(k)) {
          found.put(k, values.get(k));
        }
      }
      return CompletableFuture.completedFuture(found);
    }
  }

  /** A tier whose every call fails, either with a failed future or by throwing. */
  private static final class FailingTier implements CacheTier {
    private final String name;
    private final boolean throwing;

    FailingTier(String name, boolean throwing) {
      this.name = name;
      this.throwing = throwing;
    }

    @Override
    public String name() {
      return name;
    }

    private <T> CompletableFuture<T> fail() {
      IllegalStateException e = new IllegalStateException(name + " is down");
      if (throwing) {
        throw e;
      }
      return CompletableFuture.failedFuture(e);
    }

    @Override
    public CompletableFuture<Map<String, FeatureVector>> getAll(Collection<String> keys) {
      return fail();
    }

    @Override
    public CompletableFuture<Void> putAll(Collection<CacheEntry> entries) {
      return fail();
    }

    @Override
    public CompletableFuture<Void> invalidateAll(Collection<String> keys) {
      return fail();
    }
  }
}
