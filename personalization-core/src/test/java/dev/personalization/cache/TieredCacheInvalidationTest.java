package dev.personalization.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The never-older rule, fill/invalidation races and the invalidation bus hook of {@link TieredCache}. */
class TieredCacheInvalidationTest {

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final RecordingTier l1 = new RecordingTier("l1", true);
  private final RecordingTier l2 = new RecordingTier("l2", false);
  private final TestBus bus = new TestBus();
  private final TieredCache cache = TieredCache.of(List.of(l1, l2), CachePolicy.ofDefaults(), registry, bus);

  /** A bus that records what is published and lets the test deliver other instances' messages. */
  static final class TestBus implements InvalidationBus {
    final List<Invalidation> published = new CopyOnWriteArrayList<>();
    volatile Listener listener;

    @Override
    public void publish(Collection<Invalidation> invalidations) {
      published.addAll(invalidations);
    }

    @Override
    public void subscribe(Listener l) {
      if (listener != null) {
        throw new IllegalStateException("already subscribed");
      }
      listener = l;
    }
  }

  /** A loader whose answer the test hands over when it wants to. */
  static final class HeldLoader implements CacheLoader {
    final List<CompletableFuture<Map<String, FeatureVector>>> calls = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<Map<String, FeatureVector>> loadAll(Set<String> keys) {
      CompletableFuture<Map<String, FeatureVector>> f = new CompletableFuture<>();
      calls.add(f);
      return f;
    }
  }

  private static FeatureVector v(long version) {
    return FeatureVector.of(1, version, 0L, version);
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(5, TimeUnit.SECONDS);
  }

  private double counter(String name) {
    return registry.get(name).counter().count();
  }

  private static CacheLoader constant(String key, FeatureVector value) {
    return keys -> CompletableFuture.completedFuture(Map.of(key, value));
  }

  @Test
  void writeThroughPublishesKeysAndVersionsAfterTheTiersAreWritten() throws Exception {
    await(cache.putAll(Map.of("k", v(3)), FreshnessClass.DYNAMIC));

    assertEquals(List.of(Invalidation.written("k", 3)), bus.published);
    assertEquals(v(3), l2.getIfPresent("k"));
  }

  @Test
  void invalidationPublishesRemovals() throws Exception {
    await(cache.invalidateAll(List.of("a", "b")));

    assertEquals(List.of(Invalidation.removed("a"), Invalidation.removed("b")), bus.published);
  }

  @Test
  void fillsDoNotPublish() throws Exception {
    await(cache.getAll(List.of("k"), FreshnessClass.DYNAMIC, constant("k", v(1))));

    assertEquals(v(1), l1.getIfPresent("k"));
    assertEquals(v(1), l2.getIfPresent("k"));
    assertEquals(List.of(), bus.published);
  }

  @Test
  void aBusTakesOneCache() {
    assertThrows(IllegalStateException.class, () -> TieredCache.of(List.of(), CachePolicy.ofDefaults(), registry, bus));
  }

  @Test
  void aFillThatRacesALocalInvalidationIsNotCached() throws Exception {
    HeldLoader loader = new HeldLoader();
    CompletableFuture<Map<String, FeatureVector>> read = cache.getAll(List.of("k"), FreshnessClass.DYNAMIC, loader);

    await(cache.invalidateAll(List.of("k")));
    loader.calls.get(0).complete(Map.of("k", v(1)));

    assertEquals(Map.of("k", v(1)), await(read), "the caller that asked before the invalidation gets its answer");
    assertNull(l1.getIfPresent("k"), "but the value read before the invalidation is not cached in L1");
    assertNull(l2.getIfPresent("k"), "nor in L2");
    assertEquals(2, counter("personalization.cache.fills.discarded"));
  }

  @Test
  void aFillThatRacesARemoteRemovalIsNotCached() throws Exception {
    HeldLoader loader = new HeldLoader();
    CompletableFuture<Map<String, FeatureVector>> read = cache.getAll(List.of("k"), FreshnessClass.DYNAMIC, loader);

    bus.listener.onInvalidations(List.of(Invalidation.removed("k")));
    loader.calls.get(0).complete(Map.of("k", v(1)));
    await(read);

    assertNull(l1.getIfPresent("k"));
    assertNull(l2.getIfPresent("k"));
  }

  @Test
  void aFillThatRacesAResyncIsNotCachedInL1() throws Exception {
    HeldLoader loader = new HeldLoader();
    CompletableFuture<Map<String, FeatureVector>> read = cache.getAll(List.of("k"), FreshnessClass.DYNAMIC, loader);

    bus.listener.onResync();
    loader.calls.get(0).complete(Map.of("k", v(1)));
    await(read);

    assertNull(l1.getIfPresent("k"));
  }

  @Test
  void aCallerAfterAnInvalidationDoesNotJoinALoadThatStartedBeforeIt() throws Exception {
    HeldLoader loader = new HeldLoader();
    CompletableFuture<Map<String, FeatureVector>> before = cache.getAll(List.of("k"), FreshnessClass.DYNAMIC, loader);

    bus.listener.onInvalidations(List.of(Invalidation.removed("k")));
    CompletableFuture<Map<String, FeatureVector>> after = cache.getAll(List.of("k"), FreshnessClass.DYNAMIC, loader);
    loader.calls.get(0).complete(Map.of("k", v(1)));

    assertEquals(2, loader.calls.size(), "the later caller started its own load");
    assertEquals(Map.of("k", v(1)), await(before));
    assertTrue(!after.isDone(), "the later caller waits for its own load, not the old one");
    loader.calls.get(1).complete(Map.of("k", v(2)));
    assertEquals(Map.of("k", v(2)), await(after));
    assertEquals(v(2), l1.getIfPresent("k"));
  }

  @Test
  void aLoadOverlappingAWriteAnswersWithTheWrittenVersion() throws Exception {
    HeldLoader loader = new HeldLoader();
    CompletableFuture<Map<String, FeatureVector>> read = cache.getAll(List.of("k"), FreshnessClass.DYNAMIC, loader);

    await(cache.putAll(Map.of("k", v(2)), FreshnessClass.DYNAMIC));
    loader.calls.get(0).complete(Map.of("k", v(1)));

    assertEquals(Map.of("k", v(2)), await(read), "version 1 would go backwards after version 2 was written");
    assertEquals(v(2), l1.getIfPresent("k"));
    assertEquals(v(2), l2.getIfPresent("k"));
  }

  @Test
  void aRemoteWriteDropsOlderL1CopiesAndKeepsNewerOnes() throws Exception {
    await(l1.putAll(List.of(new CacheEntry("old", v(1), CacheTierContract.TTL), new CacheEntry("new", v(5), CacheTierContract.TTL))));

    bus.listener.onInvalidations(List.of(Invalidation.written("old", 2), Invalidation.written("new", 4)));

    assertNull(l1.getIfPresent("old"));
    assertEquals(v(5), l1.getIfPresent("new"));
    assertEquals(2, counter("personalization.cache.invalidations.received"));
  }

  @Test
  void afterARemoteWriteAnOlderSharedCopyCountsAsAMissAndTheLoaderAnswers() throws Exception {
    // The shared tier still holds version 1, for example because the writer's write to it failed.
    await(l2.putAll(List.of(new CacheEntry("k", v(1), CacheTierContract.TTL))));
    bus.listener.onInvalidations(List.of(Invalidation.written("k", 2)));

    Map<String, FeatureVector> read = await(cache.getAll(List.of("k"), FreshnessClass.DYNAMIC, constant("k", v(2))));

    assertEquals(Map.of("k", v(2)), read);
    assertEquals(v(2), l1.getIfPresent("k"));
    assertEquals(1, counter("personalization.cache.stale"));
  }

  @Test
  void aLoaderValueOlderThanAKnownVersionIsNeitherServedNorCached() throws Exception {
    bus.listener.onInvalidations(List.of(Invalidation.written("k", 7)));

    Map<String, FeatureVector> read = await(cache.getAll(List.of("k"), FreshnessClass.DYNAMIC, constant("k", v(6))));

    assertEquals(Map.of(), read);
    assertNull(l1.getIfPresent("k"));
    assertNull(l2.getIfPresent("k"));
  }

  @Test
  void aResyncClearsTheInProcessTiersOnly() throws Exception {
    await(cache.getAll(List.of("k"), FreshnessClass.DYNAMIC, constant("k", v(1))));

    bus.listener.onResync();

    assertNull(l1.getIfPresent("k"));
    assertEquals(v(1), l2.getIfPresent("k"));
    assertEquals(1, counter("personalization.cache.resyncs"));
  }

  @Test
  void aRemoteRemovalDropsL1ButLeavesTheSharedTierToThePublisher() throws Exception {
    await(cache.getAll(List.of("k"), FreshnessClass.DYNAMIC, constant("k", v(1))));

    bus.listener.onInvalidations(List.of(Invalidation.removed("k")));

    assertNull(l1.getIfPresent("k"));
    assertEquals(v(1), l2.getIfPresent("k"));
    assertEquals(List.of(), bus.published, "received invalidations are not published again");
  }

  @Test
  void warmUpLoadsKeysIntoL1InBatchesFromTheSharedTier() throws Exception {
    List<CacheEntry> entries = new java.util.ArrayList<>();
    List<String> keys = new java.util.ArrayList<>();
    for (int i = 0; i < 1_200; i++) {
      entries.add(new CacheEntry("item-" + i, v(i), CacheTierContract.TTL));
      keys.add("item-" + i);
    }
    await(l2.putAll(entries));
    CacheLoader none = k -> CompletableFuture.completedFuture(Map.of());

    int found = await(cache.warmUp(keys, FreshnessClass.STATIC, none));

    assertEquals(1_200, found);
    assertEquals(3, l2.getAllCalls().size(), "1200 keys in batches of " + TieredCache.WARM_UP_BATCH);
    for (String k : keys) {
      assertTrue(l1.getIfPresent(k) != null, k);
    }
  }

  @Test
  void invalidationRecordsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> Invalidation.written("k", -1));
    assertThrows(IllegalArgumentException.class, () -> new Invalidation("k", -2));
    assertTrue(Invalidation.removed("k").isRemoval());
  }
}
