package dev.personalization.bench.jmh;

import dev.personalization.Event;
import dev.personalization.Item;
import dev.personalization.PersonalizationEngine;
import dev.personalization.RecommendationRequest;
import dev.personalization.Scenario;
import dev.personalization.bench.workload.SyntheticWorkload;
import dev.personalization.bench.workload.WorkloadSpec;
import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.CacheKeys;
import dev.personalization.cache.CachePolicy;
import dev.personalization.cache.CacheTier;
import dev.personalization.cache.FreshnessClass;
import dev.personalization.cache.StableHash;
import dev.personalization.cache.TieredCache;
import dev.personalization.cache.caffeine.CaffeineTier;
import dev.personalization.feature.FeatureSchema;
import dev.personalization.feature.FeatureUpdater;
import dev.personalization.feature.FeatureUpdaters;
import dev.personalization.feature.FeatureVector;
import dev.personalization.internal.PopularityIndex;
import dev.personalization.model.Predictor;
import dev.personalization.model.RowAssembler;
import dev.personalization.model.RowContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The data the benchmarks run on, built the way the engine builds it: a synthetic shop of 20,000
 * users and 10,000 items; user vectors from the engine's built-in updaters under the engine's cache
 * keys; item vectors with their category hash; popularity boards fed with the shop's events; the
 * engine's standard row layout and starter logistic model. Not thread-safe while being built;
 * read-only afterwards.
 */
final class BenchFixture {

  /** The shop the benchmarks use: big enough that caches are not all in the CPU cache, quick to build. */
  static final WorkloadSpec SPEC = new WorkloadSpec(20_000, 10_000, 60, 1.0, 0.9, 60_000, 200, 0.5, 0.3, 0.2, 42);
  static final int CANDIDATES = 200;
  static final FeatureSchema ITEM_SCHEMA =
      new FeatureSchema(PersonalizationEngine.ITEM_GROUP, "item", 1, FreshnessClass.STATIC, SyntheticWorkload.ITEM_COLUMNS);
  static final CacheKeys KEYS = CacheKeys.namespace(CacheKeys.DEFAULT_NAMESPACE);

  final SyntheticWorkload workload = SyntheticWorkload.of(SPEC);
  final long now = Instant.parse("2026-06-01T12:00:00Z").toEpochMilli();
  final List<FeatureUpdater> updaters = List.of(
      FeatureUpdaters.decayedCounters(List.copyOf(PersonalizationEngine.DEFAULT_EVENT_TYPES.keySet()),
          FeatureUpdaters.DEFAULT_HALF_LIVES),
      FeatureUpdaters.recentItems(PersonalizationEngine.DEFAULT_RECENT_ITEMS),
      FeatureUpdaters.categoryAffinity(PersonalizationEngine.DEFAULT_AFFINITY_BUCKETS,
          PersonalizationEngine.DEFAULT_AFFINITY_HALF_LIFE));
  /** Per user, the cache keys of its groups, in updater order. */
  final List<List<String>> userKeys = new ArrayList<>();
  /** Per user, its vectors by group name. */
  final List<Map<String, FeatureVector>> userGroups = new ArrayList<>();
  final Map<String, FeatureVector> vectorsByKey = new HashMap<>();
  final List<String> itemIds = new ArrayList<>();
  final List<String> itemKeys = new ArrayList<>();
  final List<FeatureVector> itemVectors = new ArrayList<>();
  final PopularityIndex popularity;
  final RowAssembler assembler;
  final Predictor predictor;

  BenchFixture() {
    Instant at = Instant.ofEpochMilli(now);
    for (Item item : workload.catalog()) {
      itemIds.add(item.id());
      itemKeys.add(KEYS.key(ITEM_SCHEMA, item.id()));
      FeatureVector v = FeatureVector.of(1, 1, now, item.features(), new long[] {StableHash.of(item.category())});
      itemVectors.add(v);
      vectorsByKey.put(itemKeys.get(itemKeys.size() - 1), v);
    }
    List<Event> events = workload.seedEvents(at);
    popularity = new PopularityIndex(PersonalizationEngine.DEFAULT_POPULARITY_HALF_LIFE, CANDIDATES, Duration.ofSeconds(1),
        InstantSource.fixed(at));
    Map<String, List<Event>> byUser = new LinkedHashMap<>();
    for (Event e : events) {
      byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e);
      popularity.record(PopularityIndex.GLOBAL, e.itemId(), 1, e.timestamp().toEpochMilli());
      popularity.record(PopularityIndex.scenarioBoard(e.scenario()), e.itemId(), 1, e.timestamp().toEpochMilli());
      popularity.record(PopularityIndex.categoryBoard(e.category()), e.itemId(), 1, e.timestamp().toEpochMilli());
    }
    for (int u = 0; u < SPEC.users(); u++) {
      String id = "u" + u;
      List<Event> history = new ArrayList<>(byUser.getOrDefault(id, List.of()));
      history.sort(Comparator.comparing(Event::timestamp));
      List<String> keys = new ArrayList<>(updaters.size());
      Map<String, FeatureVector> groups = new HashMap<>();
      for (FeatureUpdater up : updaters) {
        List<Event> touched = history.stream().filter(up::touches).toList();
        String key = KEYS.key(up.schema(), id);
        keys.add(key);
        if (!touched.isEmpty()) {
          FeatureVector v = up.apply(null, touched, 1);
          groups.put(up.schema().group(), v);
          vectorsByKey.put(key, v);
        }
      }
      userKeys.add(List.copyOf(keys));
      userGroups.add(groups);
    }
    assembler = RowAssembler.standard(List.copyOf(PersonalizationEngine.DEFAULT_EVENT_TYPES.keySet()),
        FeatureUpdaters.DEFAULT_HALF_LIVES, PersonalizationEngine.DEFAULT_AFFINITY_BUCKETS,
        PersonalizationEngine.DEFAULT_AFFINITY_HALF_LIFE, SyntheticWorkload.ITEM_COLUMNS);
    predictor = Predictor.logistic(assembler.columns(), RowAssembler.standardStarterWeights(assembler.columns()), -3f);
  }

  /** A Caffeine L1 as the engine's default factory sizes it, holding every vector. */
  CacheTier filledL1() {
    CacheTier l1 = CaffeineTier.builder().maximumEntries(2L * vectorsByKey.size()).build();
    List<CacheEntry> entries = new ArrayList<>(vectorsByKey.size());
    vectorsByKey.forEach((k, v) -> entries.add(new CacheEntry(k, v, Duration.ofHours(1))));
    l1.putAll(entries).join();
    return l1;
  }

  /** A tiered cache over {@link #filledL1()}, metrics in a private registry, as the engine has it. */
  TieredCache tieredOver(CacheTier l1) {
    return TieredCache.of(List.of(l1), CachePolicy.ofDefaults(), new SimpleMeterRegistry());
  }

  /** A loader that never finds anything (the benchmarks only hit). */
  static CompletableFuture<Map<String, FeatureVector>> nothing(java.util.Set<String> keys) {
    return CompletableFuture.completedFuture(Map.of());
  }

  /** The candidates of a homepage request: the scenario board, then the global one, up to 200. */
  List<String> homepageCandidates() {
    java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
    ids.addAll(popularity.top(PopularityIndex.scenarioBoard("homepage"), CANDIDATES));
    for (String id : popularity.top(PopularityIndex.GLOBAL, CANDIDATES)) {
      if (ids.size() >= CANDIDATES) {
        break;
      }
      ids.add(id);
    }
    return new ArrayList<>(ids);
  }

  /** Everything row assembly reads for {@code user} and {@code candidates}. */
  Rows rows(int user, List<String> candidates) {
    FeatureVector[] items = new FeatureVector[candidates.size()];
    float[] pop = new float[candidates.size()];
    for (int i = 0; i < items.length; i++) {
      items[i] = vectorsByKey.get(KEYS.key(ITEM_SCHEMA, candidates.get(i)));
      pop[i] = popularity.normalized(PopularityIndex.GLOBAL, candidates.get(i));
    }
    RecommendationRequest request = RecommendationRequest.builder("u" + user, Scenario.HOMEPAGE)
        .context(RecommendationRequest.DEVICE, "mobile").build();
    return new Rows(request, now, userGroups.get(user), assembler.contextFeatures(request, now), candidates, items, pop);
  }

  /** A {@link RowContext} over precomputed inputs, like the pipeline's. */
  record Rows(RecommendationRequest request, long nowMillis, Map<String, FeatureVector> user, FeatureVector context,
      List<String> candidates, FeatureVector[] items, float[] popularityScores) implements RowContext {

    @Override
    public FeatureVector userFeatures(String group) {
      return user.get(group);
    }

    @Override
    public FeatureVector contextFeatures() {
      return context;
    }

    @Override
    public int candidateCount() {
      return candidates.size();
    }

    @Override
    public String candidateId(int i) {
      return candidates.get(i);
    }

    @Override
    public FeatureVector itemFeatures(int i) {
      return items[i];
    }

    @Override
    public float popularity(int i) {
      return popularityScores[i];
    }
  }

  /** The default engine (Caffeine L1, in-memory store, logistic model) with this shop loaded. */
  PersonalizationEngine engine() {
    PersonalizationEngine engine = dev.personalization.bench.load.EngineFactory.defaults()
        .create(new SimpleMeterRegistry(), SPEC);
    workload.loadInto(engine, Instant.now());
    return engine;
  }
}
