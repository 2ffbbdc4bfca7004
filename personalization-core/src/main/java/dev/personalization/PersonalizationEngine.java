package dev.personalization;

import dev.personalization.cache.CacheKeys;
import dev.personalization.cache.CachePolicy;
import dev.personalization.cache.CacheTier;
import dev.personalization.cache.FreshnessClass;
import dev.personalization.cache.InvalidationBus;
import dev.personalization.cache.TieredCache;
import dev.personalization.candidate.CandidateSource;
import dev.personalization.feature.FeatureSchema;
import dev.personalization.feature.FeatureStore;
import dev.personalization.feature.FeatureUpdater;
import dev.personalization.feature.FeatureUpdaters;
import dev.personalization.internal.EngineMetrics;
import dev.personalization.internal.GroupKeys;
import dev.personalization.internal.IngestPipeline;
import dev.personalization.internal.ItemCatalog;
import dev.personalization.internal.ItemKeys;
import dev.personalization.internal.PopularityIndex;
import dev.personalization.internal.RecommendPipeline;
import dev.personalization.model.Predictor;
import dev.personalization.model.RowAssembler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An embeddable personalization engine: gathers user, item and context features through tiered
 * caches in front of a {@link FeatureStore}, scores candidates with a {@link Predictor}, ranks, and
 * answers within each request's deadline, degrading to popular items instead of failing.
 * {@link #ingest} updates features incrementally.
 *
 * <pre>{@code
 * try (PersonalizationEngine engine = PersonalizationEngine.builder()
 *         .addCacheTier(CaffeineTier.builder().maximumEntries(100_000).build())  // personalization-cache
 *         .itemColumns(List.of("quality"))
 *         .build()) {
 *   engine.upsertItems(List.of(new Item("sku-1", "shoes", new float[] {0.8f})));
 *   engine.ingest(List.of(Event.of("e-1", "user-42", "sku-1", "click", Instant.now())));
 *   Recommendations recs = engine.recommendNow(
 *       RecommendationRequest.builder("user-42", Scenario.HOMEPAGE).limit(10).build());
 *   recs.items().forEach(item -> System.out.println(item.itemId() + " " + item.score()));
 * }
 * }</pre>
 *
 * <p>Thread-safe: one engine serves the whole host process. {@link #close()} stops its threads and
 * closes the store, cache tiers and predictor it was built with.
 */
public final class PersonalizationEngine implements AutoCloseable {

  /** Requests served at once before new ones are rejected: the guide's semaphore of 100. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 100;
  /** Candidates scored per request at most. */
  public static final int DEFAULT_MAX_CANDIDATES = 200;
  /** How far in the future an event's timestamp may lie before it is rejected. */
  public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);
  /** Recent items remembered per user for the already-seen filter. */
  public static final int DEFAULT_RECENT_ITEMS = 50;
  /** Width of the category-affinity group. */
  public static final int DEFAULT_AFFINITY_BUCKETS = 32;
  /** Half-life of category affinities. */
  public static final Duration DEFAULT_AFFINITY_HALF_LIFE = Duration.ofDays(7);
  /** Half-life of item popularity. */
  public static final Duration DEFAULT_POPULARITY_HALF_LIFE = Duration.ofDays(1);
  /** How often a popularity board's top list is recomputed at most, after it changed. */
  public static final Duration DEFAULT_POPULARITY_REFRESH = Duration.ofSeconds(1);
  /** Event types and their popularity weights. */
  public static final Map<String, Double> DEFAULT_EVENT_TYPES = defaultEventTypes();
  /** Group name of the item features. */
  public static final String ITEM_GROUP = "item";

  private final RecommendPipeline recommendPipeline;
  private final IngestPipeline ingestPipeline;
  private final TieredCache cache;
  private final List<GroupKeys> userGroups;
  private final List<String> columns;
  private final MeterRegistry registry;
  private final FeatureStore store;
  private final Predictor predictor;
  private final InvalidationBus invalidationBus;
  private final ExecutorService ownedExecutor;
  private final ScheduledThreadPoolExecutor deadlines;
  private volatile boolean closed;

  private PersonalizationEngine(Builder b, FeatureStore store, Predictor predictor, RowAssembler assembler,
      List<FeatureUpdater> updaters) {
    this.registry = b.registry != null ? b.registry : new SimpleMeterRegistry();
    this.store = store;
    this.predictor = predictor;
    this.columns = assembler.columns();
    InstantSource clock = b.clock != null ? b.clock : InstantSource.system();
    this.invalidationBus = b.invalidationBus != null ? b.invalidationBus : InvalidationBus.none();
    this.cache = TieredCache.of(b.tiers, b.cachePolicy != null ? b.cachePolicy : CachePolicy.ofDefaults(), registry,
        invalidationBus);
    CacheKeys keys = CacheKeys.namespace(b.namespace != null ? b.namespace : CacheKeys.DEFAULT_NAMESPACE);
    List<GroupKeys> groups = new ArrayList<>();
    Map<String, GroupKeys> byGroup = new HashMap<>();
    for (FeatureUpdater u : updaters) {
      FeatureSchema s = u.schema();
      FreshnessClass override = b.freshness.get(s.group());
      GroupKeys g = GroupKeys.of(keys, override == null ? s : s.withFreshness(override));
      groups.add(g);
      byGroup.put(s.group(), g);
    }
    this.userGroups = List.copyOf(groups);
    List<String> itemColumns = b.itemColumns != null ? b.itemColumns : List.of();
    FeatureSchema itemSchema = new FeatureSchema(ITEM_GROUP, "item", 1,
        b.freshness.getOrDefault(ITEM_GROUP, FreshnessClass.STATIC), itemColumns);
    ItemKeys itemKeys = new ItemKeys(GroupKeys.of(keys, itemSchema));

    Executor executor;
    if (b.executor != null) {
      executor = b.executor;
      ownedExecutor = null;
    } else {
      int threads = 2 * Runtime.getRuntime().availableProcessors();
      ownedExecutor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(10_000), threads("personalization-worker-"));
      executor = ownedExecutor;
    }
    deadlines = new ScheduledThreadPoolExecutor(1, threads("personalization-deadline-"));
    // Most deadlines are cancelled because the answer came first; drop them at once, not when due.
    deadlines.setRemoveOnCancelPolicy(true);

    int maxInFlight = b.maxInFlight > 0 ? b.maxInFlight : DEFAULT_MAX_IN_FLIGHT;
    int maxCandidates = b.maxCandidates > 0 ? b.maxCandidates : DEFAULT_MAX_CANDIDATES;
    Duration popularityRefresh = b.popularityRefresh != null ? b.popularityRefresh : DEFAULT_POPULARITY_REFRESH;
    PopularityIndex popularity = new PopularityIndex(
        b.popularityHalfLife != null ? b.popularityHalfLife : DEFAULT_POPULARITY_HALF_LIFE, maxCandidates,
        popularityRefresh, clock);
    Set<String> scenarios = new LinkedHashSet<>(List.of(
        Scenario.HOMEPAGE.name(), Scenario.SEARCH.name(), Scenario.CATEGORY.name()));
    scenarios.addAll(b.scenarios);
    RecommendPipeline[] pipeline = new RecommendPipeline[1];
    EngineMetrics metrics = new EngineMetrics(registry, () -> pipeline[0] == null ? 0 : pipeline[0].inFlight());
    pipeline[0] = new RecommendPipeline(cache, store, userGroups, itemKeys, assembler, predictor, b.sources, popularity,
        popularityRefresh, scenarios, maxCandidates, executor, deadlines, metrics, clock, maxInFlight);
    this.recommendPipeline = pipeline[0];
    this.ingestPipeline = new IngestPipeline(store, cache, updaters, byGroup, itemKeys,
        b.eventTypes != null ? b.eventTypes : DEFAULT_EVENT_TYPES, popularity, new ItemCatalog(), clock,
        b.maxClockSkew != null ? b.maxClockSkew : DEFAULT_MAX_CLOCK_SKEW, metrics);
  }

  /** A builder with every default: in-memory store, no cache tiers, logistic starter model. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Recommends items. Never blocks the caller: the answer arrives through the future, within the
   * request's deadline. When a stage fails or runs out of time the answer is popular items for the
   * scenario, flagged {@link Recommendations#degraded()} with the reason.
   *
   * @return a future that fails with {@link EngineOverloadedException} at once when the admission
   *     limit is reached, or with {@link InvalidRequestException} for a scenario the engine does
   *     not know
   */
  public CompletableFuture<Recommendations> recommend(RecommendationRequest request) {
    Objects.requireNonNull(request, "request");
    checkOpen();
    return recommendPipeline.recommend(request);
  }

  /**
   * {@link #recommend} for callers that block.
   *
   * @throws EngineOverloadedException when the admission limit is reached
   * @throws InvalidRequestException for an unknown scenario
   */
  public Recommendations recommendNow(RecommendationRequest request) {
    try {
      return recommend(request).get();
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new PersonalizationException("recommend failed", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PersonalizationException("interrupted while waiting for recommendations", e);
    }
  }

  /**
   * Applies events: appends the new ones to the store's event log (idempotent by event id), updates
   * only the feature groups they touch, writes the results through the cache tiers and feeds
   * popularity. Returns after the store has accepted them. Invalid events are rejected one by one,
   * each with an {@link InvalidEventException} naming its id and field, and the rest still applied.
   *
   * @throws PersonalizationException (or the store's exception) when the store cannot accept the
   *     batch; nothing of it is then visible
   */
  public IngestResult ingest(Collection<Event> events) {
    Objects.requireNonNull(events, "events");
    checkOpen();
    return ingestPipeline.ingest(events);
  }

  /**
   * Adds or replaces catalog items: their features go to the store and through the caches, and
   * their categories feed category candidates.
   *
   * @throws IllegalArgumentException naming the item when its features do not match the item
   *     columns or are not finite; nothing of the batch is written then
   */
  public void upsertItems(Collection<Item> items) {
    Objects.requireNonNull(items, "items");
    checkOpen();
    ingestPipeline.upsertItems(items);
  }

  /** Drops a user's cached feature groups from every tier; the next request reloads them. */
  public CompletableFuture<Void> invalidateUser(String userId) {
    Objects.requireNonNull(userId, "userId");
    List<String> keys = new ArrayList<>(userGroups.size());
    for (GroupKeys g : userGroups) {
      keys.add(g.key(userId));
    }
    return cache.invalidateAll(keys);
  }

  /**
   * Loads the features of hot items and users into the in-process cache tier with bulk reads (the
   * shared tier first, then the store for what it misses), so that a host can warm up before it
   * reports ready.
   *
   * @return a future of the number of vectors found
   */
  public CompletableFuture<Integer> warmUp(Collection<String> itemIds, Collection<String> userIds) {
    Objects.requireNonNull(itemIds, "itemIds");
    Objects.requireNonNull(userIds, "userIds");
    checkOpen();
    return recommendPipeline.warmUp(itemIds, userIds);
  }

  /** The model's input columns, in row order: what a model trained for this engine must accept. */
  public List<String> columns() {
    return columns;
  }

  /** The registry holding the engine's meters (see the README for their names). */
  public MeterRegistry meterRegistry() {
    return registry;
  }

  /** Stops the engine's threads and closes its store, cache tiers and predictor. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    deadlines.shutdownNow();
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
      try {
        ownedExecutor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeQuietly(invalidationBus);
    for (CacheTier t : cache.tiers()) {
      closeQuietly(t);
    }
    closeQuietly(predictor);
    closeQuietly(store);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("engine is closed");
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      System.getLogger(PersonalizationEngine.class.getName()).log(System.Logger.Level.WARNING, "close failed: " + c, e);
    }
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static Map<String, Double> defaultEventTypes() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("view", 1.0);
    m.put("click", 3.0);
    m.put("add_to_cart", 5.0);
    m.put("purchase", 10.0);
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * Configures a {@link PersonalizationEngine}. Each option may be set once (the {@code add…}
   * methods add); conflicting options are rejected by {@link #build()}. Not thread-safe.
   */
  public static final class Builder {
    private Executor executor;
    private int maxInFlight;
    private MeterRegistry registry;
    private final List<CacheTier> tiers = new ArrayList<>();
    private CachePolicy cachePolicy;
    private InvalidationBus invalidationBus;
    private String namespace;
    private final Map<String, FreshnessClass> freshness = new HashMap<>();
    private FeatureStore store;
    private Predictor predictor;
    private RowAssembler assembler;
    private final List<CandidateSource> sources = new ArrayList<>();
    private final List<FeatureUpdater> extraUpdaters = new ArrayList<>();
    private Map<String, Double> eventTypes;
    private List<String> itemColumns;
    private int maxCandidates;
    private int recentItems;
    private int affinityBuckets;
    private Duration popularityHalfLife;
    private Duration popularityRefresh;
    private Duration maxClockSkew;
    private InstantSource clock;
    private final Set<String> scenarios = new LinkedHashSet<>();

    private Builder() {
    }

    /**
     * Runs blocking stages (store loads, candidate sources) on the host's executor instead of the
     * engine's own (a fixed pool of 2 × CPUs named {@code personalization-worker-N}). The engine does
     * not shut a host executor down.
     */
    public Builder executor(Executor executor) {
      once(this.executor, "executor");
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Requests served at once before new ones are rejected (default {@value PersonalizationEngine#DEFAULT_MAX_IN_FLIGHT}). */
    public Builder maxInFlight(int maxInFlight) {
      once(this.maxInFlight == 0 ? null : this.maxInFlight, "maxInFlight");
      this.maxInFlight = positive(maxInFlight, "maxInFlight");
      return this;
    }

    /** Where the engine registers its meters (default: a private {@code SimpleMeterRegistry}). */
    public Builder meterRegistry(MeterRegistry registry) {
      once(this.registry, "meterRegistry");
      this.registry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /** Adds a cache tier below those added before: add L1 first. Default: no tiers. */
    public Builder addCacheTier(CacheTier tier) {
      tiers.add(Objects.requireNonNull(tier, "tier"));
      return this;
    }

    /** TTLs per freshness class and their jitter (default {@link CachePolicy#ofDefaults()}). */
    public Builder cachePolicy(CachePolicy policy) {
      once(this.cachePolicy, "cachePolicy");
      this.cachePolicy = Objects.requireNonNull(policy, "cachePolicy");
      return this;
    }

    /**
     * Carries this engine's cache writes to other engines sharing a remote tier, and theirs to this
     * engine's in-process tier (default {@link InvalidationBus#none()}: the engine runs alone). The
     * engine closes it.
     */
    public Builder invalidationBus(InvalidationBus bus) {
      once(this.invalidationBus, "invalidationBus");
      this.invalidationBus = Objects.requireNonNull(bus, "invalidationBus");
      return this;
    }

    /** The prefix of every cache key (default {@value CacheKeys#DEFAULT_NAMESPACE}). */
    public Builder namespace(String namespace) {
      once(this.namespace, "namespace");
      this.namespace = CacheKeys.namespace(namespace).namespace();
      return this;
    }

    /**
     * Overrides the freshness class of a feature group (built-in user groups are DYNAMIC, the
     * {@value PersonalizationEngine#ITEM_GROUP} group STATIC).
     */
    public Builder freshness(String group, FreshnessClass freshnessClass) {
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(freshnessClass, "freshnessClass");
      if (freshness.putIfAbsent(group, freshnessClass) != null) {
        throw new IllegalStateException("freshness of group '" + group + "' is already set");
      }
      return this;
    }

    /** The durable store (default {@link FeatureStore#inMemory()}). */
    public Builder featureStore(FeatureStore store) {
      once(this.store, "featureStore");
      this.store = Objects.requireNonNull(store, "featureStore");
      return this;
    }

    /**
     * The model (default: a logistic model with
     * {@link RowAssembler#standardStarterWeights starter weights}). Its columns must equal the row
     * assembler's.
     */
    public Builder predictor(Predictor predictor) {
      once(this.predictor, "predictor");
      this.predictor = Objects.requireNonNull(predictor, "predictor");
      return this;
    }

    /** Lays out model rows (default {@link RowAssembler#standard}). */
    public Builder rowAssembler(RowAssembler assembler) {
      once(this.assembler, "rowAssembler");
      this.assembler = Objects.requireNonNull(assembler, "rowAssembler");
      return this;
    }

    /** Adds a candidate source, consulted after the host's candidates and popularity. */
    public Builder addCandidateSource(CandidateSource source) {
      sources.add(Objects.requireNonNull(source, "source"));
      return this;
    }

    /**
     * Adds a user feature updater besides the built-in counters, recent items and category
     * affinity. Its group's vectors reach a custom {@link RowAssembler} through
     * {@code RowContext.userFeatures(group)}.
     */
    public Builder addFeatureUpdater(FeatureUpdater updater) {
      extraUpdaters.add(Objects.requireNonNull(updater, "updater"));
      return this;
    }

    /**
     * The accepted event types and their popularity weights, replacing the defaults
     * ({@code view} 1, {@code click} 3, {@code add_to_cart} 5, {@code purchase} 10).
     */
    public Builder eventTypes(Map<String, Double> typeWeights) {
      once(this.eventTypes, "eventTypes");
      Map<String, Double> copy = new LinkedHashMap<>(Objects.requireNonNull(typeWeights, "eventTypes"));
      if (copy.isEmpty()) {
        throw new IllegalArgumentException("eventTypes must not be empty");
      }
      copy.forEach((type, w) -> {
        if (type == null || !type.matches("[a-z0-9_]{1,32}")) {
          throw new IllegalArgumentException("event type must match [a-z0-9_]{1,32}, was '" + type + "'");
        }
        if (w == null || !Double.isFinite(w) || w < 0) {
          throw new IllegalArgumentException("weight of event type '" + type + "' must be finite and >= 0, was " + w);
        }
      });
      this.eventTypes = java.util.Collections.unmodifiableMap(copy);
      return this;
    }

    /** Names of the item features every {@link Item} carries, in order (default: none). */
    public Builder itemColumns(List<String> columns) {
      once(this.itemColumns, "itemColumns");
      this.itemColumns = List.copyOf(columns);
      return this;
    }

    /** Candidates scored per request at most (default {@value PersonalizationEngine#DEFAULT_MAX_CANDIDATES}). */
    public Builder maxCandidates(int maxCandidates) {
      once(this.maxCandidates == 0 ? null : this.maxCandidates, "maxCandidates");
      this.maxCandidates = positive(maxCandidates, "maxCandidates");
      return this;
    }

    /** Recent items remembered per user (default {@value PersonalizationEngine#DEFAULT_RECENT_ITEMS}). */
    public Builder recentItems(int recentItems) {
      once(this.recentItems == 0 ? null : this.recentItems, "recentItems");
      this.recentItems = positive(recentItems, "recentItems");
      return this;
    }

    /** Width of the category-affinity group (default {@value PersonalizationEngine#DEFAULT_AFFINITY_BUCKETS}). */
    public Builder affinityBuckets(int buckets) {
      once(this.affinityBuckets == 0 ? null : this.affinityBuckets, "affinityBuckets");
      this.affinityBuckets = positive(buckets, "affinityBuckets");
      return this;
    }

    /** Half-life of item popularity (default 1 day). */
    public Builder popularityHalfLife(Duration halfLife) {
      once(this.popularityHalfLife, "popularityHalfLife");
      this.popularityHalfLife = positive(halfLife, "popularityHalfLife");
      return this;
    }

    /**
     * How often a changed popularity board is re-ranked at most (default 1 s; zero: on every read).
     * Requests whose candidates are a board's list also reuse the items' popularity feature for at
     * most this long, so it bounds how old that feature may be as well.
     */
    public Builder popularityRefresh(Duration interval) {
      once(this.popularityRefresh, "popularityRefresh");
      Objects.requireNonNull(interval, "popularityRefresh");
      if (interval.isNegative()) {
        throw new IllegalArgumentException("popularityRefresh must be >= 0, was " + interval);
      }
      this.popularityRefresh = interval;
      return this;
    }

    /** How far in the future an event may be dated (default 5 minutes). */
    public Builder maxClockSkew(Duration skew) {
      once(this.maxClockSkew, "maxClockSkew");
      this.maxClockSkew = positive(skew, "maxClockSkew");
      return this;
    }

    /** The engine's clock (default the system clock); tests pass a controllable one. */
    public Builder clock(InstantSource clock) {
      once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Registers a host-defined scenario; requests naming an unregistered scenario are rejected with
     * {@link InvalidRequestException} so that typos do not silently serve the overall popular list.
     */
    public Builder scenario(String name) {
      scenarios.add(Scenario.of(name).name());
      return this;
    }

    /**
     * Builds the engine.
     *
     * @throws IllegalStateException when the predictor's columns differ from the row assembler's,
     *     or two updaters maintain the same group
     */
    public PersonalizationEngine build() {
      Map<String, Double> types = eventTypes != null ? eventTypes : DEFAULT_EVENT_TYPES;
      Duration affinityHalfLife = DEFAULT_AFFINITY_HALF_LIFE;
      int buckets = affinityBuckets > 0 ? affinityBuckets : DEFAULT_AFFINITY_BUCKETS;
      List<FeatureUpdater> updaters = new ArrayList<>();
      updaters.add(FeatureUpdaters.decayedCounters(List.copyOf(types.keySet()), FeatureUpdaters.DEFAULT_HALF_LIVES));
      updaters.add(FeatureUpdaters.recentItems(recentItems > 0 ? recentItems : DEFAULT_RECENT_ITEMS));
      updaters.add(FeatureUpdaters.categoryAffinity(buckets, affinityHalfLife));
      updaters.addAll(extraUpdaters);
      Set<String> groups = new LinkedHashSet<>();
      for (FeatureUpdater u : updaters) {
        if (!groups.add(u.schema().group()) || u.schema().group().equals(ITEM_GROUP)) {
          throw new IllegalStateException("two feature updaters maintain group '" + u.schema().group() + "'");
        }
        if (!u.schema().entity().equals("user")) {
          throw new IllegalStateException("feature updater of group '" + u.schema().group() + "' must describe entity 'user'");
        }
      }
      for (String g : freshness.keySet()) {
        if (!groups.contains(g) && !g.equals(ITEM_GROUP)) {
          throw new IllegalStateException("freshness is set for unknown group '" + g + "'; groups are " + groups + " and item");
        }
      }
      RowAssembler rows = assembler != null ? assembler : RowAssembler.standard(List.copyOf(types.keySet()),
          FeatureUpdaters.DEFAULT_HALF_LIVES, buckets, affinityHalfLife, itemColumns != null ? itemColumns : List.of());
      Predictor model = predictor != null ? predictor
          : Predictor.logistic(rows.columns(), RowAssembler.standardStarterWeights(rows.columns()), -3f);
      if (!model.columns().equals(rows.columns())) {
        throw new IllegalStateException("predictor columns " + model.columns() + " differ from row assembler columns "
            + rows.columns());
      }
      return new PersonalizationEngine(this, store != null ? store : FeatureStore.inMemory(), model, rows, updaters);
    }

    private static void once(Object current, String option) {
      if (current != null) {
        throw new IllegalStateException(option + " is already set");
      }
    }

    private static int positive(int value, String option) {
      if (value < 1) {
        throw new IllegalArgumentException(option + " must be >= 1, was " + value);
      }
      return value;
    }

    private static Duration positive(Duration value, String option) {
      Objects.requireNonNull(value, option);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(option + " must be positive, was " + value);
      }
      return value;
    }
  }
}
