package dev.personalization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.feature.FeatureSchema;
import dev.personalization.feature.FeatureUpdaters;
import dev.personalization.feature.FeatureVector;
import dev.personalization.model.Predictor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PersonalizationEngineTest {

  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  private final MutableClock clock = new MutableClock(NOW);
  private final ControllableStore store = new ControllableStore();
  private final MapTier tier = new MapTier();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private PersonalizationEngine engine;

  @BeforeEach
  void setUp() {
    engine = PersonalizationEngine.builder()
        .clock(clock)
        .featureStore(store)
        .addCacheTier(tier)
        .meterRegistry(registry)
        .itemColumns(List.of("quality"))
        .popularityRefresh(Duration.ZERO)
        .maxInFlight(4)
        .build();
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      items.add(new Item("shoe-" + i, "shoes", new float[] {0.5f}));
      items.add(new Item("book-" + i, "books", new float[] {0.5f}));
    }
    engine.upsertItems(items);
    // Crowd traffic: books are more popular overall than shoes.
    List<Event> crowd = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      for (int j = 0; j <= i % 5; j++) {
        crowd.add(Event.of("crowd-b-" + i + "-" + j, "crowd-" + j, "book-" + i, "click", NOW.minusSeconds(60)).withScenario("homepage"));
      }
      crowd.add(Event.of("crowd-s-" + i, "crowd-x", "shoe-" + i, "view", NOW.minusSeconds(60)).withScenario("homepage"));
    }
    assertEquals(List.of(), engine.ingest(crowd).rejected());
  }

  @AfterEach
  void tearDown() {
    engine.close();
  }

  private static RecommendationRequest homepage(String user) {
    return RecommendationRequest.builder(user, Scenario.HOMEPAGE).limit(10).deadline(Duration.ofSeconds(5)).build();
  }

  @Test
  void aShoeLoverGetsShoesAndTheCrowdGetsBooks() {
    List<Event> shoes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      shoes.add(Event.of("alice-" + i, "alice", "shoe-" + i, "purchase", NOW.minusSeconds(30)));
    }
    engine.ingest(shoes);

    Recommendations alice = engine.recommendNow(homepage("alice"));
    assertFalse(alice.degraded(), alice.degradationReason());
    assertEquals(10, alice.items().size());
    assertTrue(alice.items().stream().allMatch(i -> i.itemId().startsWith("shoe-")), alice.items().toString());
    assertTrue(alice.modelVersion().startsWith("logistic-"));
    assertEquals(Set.of("user_features", "context", "candidates", "item_features", "scoring", "ranking"),
        alice.stageTimings().keySet());

    Recommendations stranger = engine.recommendNow(homepage("stranger"));
    assertFalse(stranger.degraded());
    assertTrue(stranger.items().get(0).itemId().startsWith("book-"), stranger.items().toString());
  }

  @Test
  void itemsTheUserRecentlySawAreNotRecommendedAgain() {
    engine.ingest(List.of(Event.of("bob-1", "bob", "shoe-3", "purchase", NOW.minusSeconds(5))));
    Recommendations bob = engine.recommendNow(RecommendationRequest.builder("bob", Scenario.HOMEPAGE)
        .limit(1000).exclude(List.of("book-1")).deadline(Duration.ofSeconds(5)).build());
    List<String> ids = bob.items().stream().map(ScoredItem::itemId).collect(Collectors.toList());
    assertFalse(ids.contains("shoe-3"));
    assertFalse(ids.contains("book-1"));
    assertEquals(78, ids.size());
  }

  @Test
  void searchReranksOnlyTheHostsResults() {
    List<String> results = List.of("shoe-1", "book-39", "unknown-item");
    Recommendations r = engine.recommendNow(RecommendationRequest.builder("carol", Scenario.SEARCH)
        .candidates(results).context("query", "red shoes").deadline(Duration.ofSeconds(5)).build());
    assertFalse(r.degraded());
    assertEquals(Set.copyOf(results), r.items().stream().map(ScoredItem::itemId).collect(Collectors.toSet()));
  }

  @Test
  void categoryScenarioServesTheCategory() {
    Recommendations r = engine.recommendNow(RecommendationRequest.builder("dave", Scenario.CATEGORY)
        .context(RecommendationRequest.CATEGORY_ID, "shoes").limit(50).deadline(Duration.ofSeconds(5)).build());
    assertFalse(r.degraded());
    assertEquals(40, r.items().size());
    assertTrue(r.items().stream().allMatch(i -> i.itemId().startsWith("shoe-")));
  }

  @Test
  void aStageThatMissesTheDeadlineYieldsPopularItemsFlaggedDegraded() {
    store.readGate = new CountDownLatch(1);
    try {
      Recommendations r = engine.recommendNow(RecommendationRequest.builder("erin", Scenario.HOMEPAGE)
          .limit(5).deadline(Duration.ofMillis(50)).build());
      assertTrue(r.degraded());
      assertTrue(r.degradationReason().contains("deadline of 50 ms exceeded"), r.degradationReason());
      assertTrue(r.degradationReason().contains("user_features"), r.degradationReason());
      assertEquals("fallback:popularity", r.modelVersion());
      assertEquals(5, r.items().size());
      assertTrue(r.items().stream().allMatch(i -> i.itemId().startsWith("book-")), r.items().toString());
    } finally {
      store.readGate.countDown();
    }
    assertEquals(1.0, registry.get("personalization.requests").tags("outcome", "degraded").counter().count());
  }

  @Test
  void aFailingStoreDegradesInsteadOfFailing() {
    store.readFailure = new IllegalStateException("database on fire");
    Recommendations r = engine.recommendNow(homepage("frank"));
    assertTrue(r.degraded());
    assertTrue(r.degradationReason().contains("database on fire"), r.degradationReason());
    assertFalse(r.items().isEmpty());
  }

  @Test
  void overloadIsRejectedAtOnce() throws Exception {
    store.readGate = new CountDownLatch(1);
    List<CompletableFuture<Recommendations>> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(engine.recommend(RecommendationRequest.builder("held-" + i, Scenario.HOMEPAGE)
          .deadline(Duration.ofSeconds(10)).build()));
    }
    CompletableFuture<Recommendations> rejected = engine.recommend(homepage("one-too-many"));
    // Rejected without waiting: the future is already failed when recommend returns.
    assertTrue(rejected.isCompletedExceptionally());
    ExecutionException e = assertThrows(ExecutionException.class, rejected::get);
    assertInstanceOf(EngineOverloadedException.class, e.getCause());
    assertThrows(EngineOverloadedException.class, () -> engine.recommendNow(homepage("and-another")));
    store.readGate.countDown();
    for (CompletableFuture<Recommendations> f : held) {
      assertFalse(f.get(10, TimeUnit.SECONDS).degraded());
    }
    assertEquals(2.0, registry.get("personalization.requests").tags("outcome", "rejected").counter().count());
    // Permits came back: the engine serves again.
    assertFalse(engine.recommendNow(homepage("later")).degraded());
  }

  @Test
  void unknownScenariosAreInvalidAndRegisteredOnesServe() {
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> engine.recommendNow(RecommendationRequest.builder("u", Scenario.of("deals")).build()));
    assertEquals("scenario", e.field());
    assertEquals(1.0, registry.get("personalization.requests").tags("outcome", "invalid").counter().count());
    try (PersonalizationEngine withDeals = PersonalizationEngine.builder().scenario("deals").build()) {
      assertFalse(withDeals.recommendNow(RecommendationRequest.builder("u", Scenario.of("deals")).deadline(Duration.ofSeconds(5)).build())
          .degraded());
    }
  }

  @Test
  void replayingEventsChangesNothing() {
    List<Event> events = List.of(
        Event.of("g-1", "gina", "shoe-1", "click", NOW.minusSeconds(100)),
        Event.of("g-2", "gina", "book-2", "view", NOW.minusSeconds(50)),
        Event.of("g-3", "gina", "shoe-2", "purchase", NOW.minusSeconds(10)));
    IngestResult first = engine.ingest(events);
    assertEquals(3, first.applied());
    List<FeatureVector> before = userVectors("gina");
    float popularityBefore = popularity("shoe-2");

    IngestResult replay = engine.ingest(events);
    assertEquals(0, replay.applied());
    assertEquals(3, replay.duplicates());
    assertEquals(before, userVectors("gina"));
    assertEquals(popularityBefore, popularity("shoe-2"));

    // Duplicates inside one batch count once.
    IngestResult twice = engine.ingest(List.of(Event.of("g-4", "gina", "shoe-3", "click", NOW), Event.of("g-4", "gina", "shoe-3", "click", NOW)));
    assertEquals(1, twice.applied());
    assertEquals(1, twice.duplicates());
  }

  @Test
  void ingestWritesThroughTheCacheTiersWithNewVersions() {
    engine.ingest(List.of(Event.of("h-1", "hank", "shoe-1", "click", NOW)));
    String key = "pe:user:hank:" + FeatureUpdaters.COUNTERS + ":v1";
    assertEquals(1, tier.map.get(key).version());
    engine.ingest(List.of(Event.of("h-2", "hank", "shoe-2", "click", NOW)));
    assertEquals(2, tier.map.get(key).version());
    int readsBefore = store.reads.get();
    engine.recommendNow(homepage("hank"));
    assertEquals(readsBefore, store.reads.get(), "every feature came from the cache tier");
    engine.invalidateUser("hank").join();
    assertEquals(null, tier.map.get(key));
  }

  @Test
  void invalidEventsAreRejectedByFieldAndTheRestIsApplied() {
    List<Event> batch = new ArrayList<>();
    batch.add(Event.of("ok-1", "ivy", "shoe-1", "click", NOW));
    batch.add(Event.of("nan", "ivy", "shoe-1", "click", NOW).withWeight(Double.NaN));
    batch.add(Event.of("inf", "ivy", "shoe-1", "click", NOW).withWeight(Double.POSITIVE_INFINITY));
    batch.add(Event.of("neg", "ivy", "shoe-1", "click", NOW).withWeight(-1));
    batch.add(Event.of("type", "ivy", "shoe-1", "teleport", NOW));
    batch.add(Event.of(null, "ivy", "shoe-1", "click", NOW));
    batch.add(Event.of("nouser", null, "shoe-1", "click", NOW));
    batch.add(Event.of("noitem", "ivy", " ", "click", NOW));
    batch.add(Event.of("notime", "ivy", "shoe-1", "click", null));
    batch.add(Event.of("future", "ivy", "shoe-1", "click", NOW.plus(Duration.ofHours(1))));
    batch.add(Event.of("far-future", "ivy", "shoe-1", "click", Instant.MAX));
    batch.add(Event.of("scenario", "ivy", "shoe-1", "click", NOW).withScenario("Home Page"));
    batch.add(null);
    batch.add(Event.of("ok-2", "ivy", "shoe-2", "view", NOW.plus(Duration.ofMinutes(4))));

    IngestResult result = engine.ingest(batch);
    assertEquals(2, result.applied());
    List<String> problems = result.rejected().stream().map(e -> e.eventId() + "/" + e.field()).collect(Collectors.toList());
    assertEquals(List.of("nan/weight", "inf/weight", "neg/weight", "type/type", "<index 5>/id", "nouser/userId",
        "noitem/itemId", "notime/timestamp", "future/timestamp", "far-future/timestamp", "scenario/scenario",
        "<index 12>/event"), problems);
    // 160 crowd events from setUp, then these two.
    assertEquals(162.0, registry.get("personalization.ingest.events").tags("outcome", "applied").counter().count());
    assertEquals(12.0, registry.get("personalization.ingest.events").tags("outcome", "rejected").counter().count());
  }

  @Test
  void builderRejectsConflictsAndRepeats() {
    PersonalizationEngine.Builder b = PersonalizationEngine.builder().maxInFlight(3);
    IllegalStateException twice = assertThrows(IllegalStateException.class, () -> b.maxInFlight(4));
    assertTrue(twice.getMessage().contains("maxInFlight"));
    assertThrows(IllegalArgumentException.class, () -> PersonalizationEngine.builder().maxCandidates(0));
    Predictor wrong = Predictor.logistic(List.of("a", "b"), new float[] {1, 2}, 0);
    IllegalStateException columns = assertThrows(IllegalStateException.class,
        () -> PersonalizationEngine.builder().predictor(wrong).build());
    assertTrue(columns.getMessage().contains("predictor columns [a, b]"), columns.getMessage());
    assertThrows(IllegalStateException.class,
        () -> PersonalizationEngine.builder().freshness("nope", dev.personalization.cache.FreshnessClass.STATIC).build());
  }

  @Test
  void upsertRejectsItemsThatDoNotFitTheColumns() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> engine.upsertItems(List.of(new Item("bad", "x", new float[] {1, 2}))));
    assertTrue(e.getMessage().contains("'bad'"));
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> engine.upsertItems(List.of(new Item("nan", "x", new float[] {Float.NaN}))));
    assertTrue(nan.getMessage().contains("quality"));
  }

  @Test
  void metricsCountRequestsStagesAndTiers() {
    engine.recommendNow(homepage("jack"));
    engine.recommendNow(homepage("jack"));
    assertEquals(2, registry.get("personalization.recommend").tags("scenario", "homepage").timer().count());
    assertEquals(2.0, registry.get("personalization.requests").tags("scenario", "homepage", "outcome", "ok").counter().count());
    assertEquals(2, registry.get("personalization.stage").tags("stage", "scoring").timer().count());
    assertNotNull(registry.get("personalization.inflight").gauge());
    // The item features were written through at upsert: every item lookup hits the tier.
    double itemHits = registry.get("personalization.cache.gets").tags("tier", "map", "freshness", "static", "result", "hit").counter().count();
    double itemMisses = registry.get("personalization.cache.gets").tags("tier", "map", "freshness", "static", "result", "miss").counter().count();
    assertTrue(itemHits >= 160, "hits " + itemHits);
    assertEquals(0.0, itemMisses);
  }

  @Test
  void closedEnginesRefuseWork() {
    engine.close();
    assertThrows(IllegalStateException.class, () -> engine.recommend(homepage("x")));
    engine.close();
  }

  private List<FeatureVector> userVectors(String user) {
    List<FeatureVector> out = new ArrayList<>();
    for (String group : List.of(FeatureUpdaters.COUNTERS, FeatureUpdaters.RECENT_ITEMS, FeatureUpdaters.CATEGORY_AFFINITY)) {
      FeatureSchema probe = new FeatureSchema(group, "user", 1, dev.personalization.cache.FreshnessClass.DYNAMIC, List.of());
      out.add(store.fetchMany(probe, List.of(user)).get(user));
    }
    return out;
  }

  private float popularity(String item) {
    return engine.recommendNow(RecommendationRequest.builder("nobody", Scenario.HOMEPAGE).limit(1000)
        .deadline(Duration.ofSeconds(5)).build()).items().stream()
        .filter(i -> i.itemId().equals(item)).findFirst().orElseThrow().score();
  }
}
