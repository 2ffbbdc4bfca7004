package dev.personalization.internal;

import dev.personalization.EngineOverloadedException;
import dev.personalization.RecommendationRequest;
import dev.personalization.Recommendations;
import dev.personalization.Scenario;
import dev.personalization.ScoredItem;
import dev.personalization.cache.FreshnessClass;
import dev.personalization.cache.TieredCache;
import dev.personalization.candidate.CandidateSource;
import dev.personalization.feature.FeatureStore;
import dev.personalization.feature.FeatureUpdaters;
import dev.personalization.feature.FeatureVector;
import dev.personalization.internal.EngineMetrics.Outcome;
import dev.personalization.internal.EngineMetrics.Stage;
import dev.personalization.model.FeatureRows;
import dev.personalization.model.Prediction;
import dev.personalization.model.Predictor;
import dev.personalization.model.RowAssembler;
import dev.personalization.model.RowContext;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The request path of ARCHITECTURE.md: admission, then user features, context features and
 * candidates concurrently, item features in one bulk lookup, rows into a reused buffer, scoring,
 * top-K; all under the request's deadline, degrading to popular items instead of failing.
 */
public final class RecommendPipeline {

  private static final System.Logger LOG = System.getLogger(RecommendPipeline.class.getName());
  /** Model version reported by fallback answers. */
  public static final String FALLBACK_VERSION = "fallback:popularity";

  private final TieredCache cache;
  private final FeatureStore store;
  private final List<GroupKeys> userGroups;
  private final ItemKeys itemKeys;
  private final RowAssembler assembler;
  private final Predictor predictor;
  private final List<CandidateSource> sources;
  private final PopularityIndex popularity;
  private final ResolvedBoards resolvedBoards;
  private final Set<String> scenarios;
  private final int maxCandidates;
  private final Executor executor;
  private final ScheduledExecutorService deadlines;
  private final EngineMetrics metrics;
  private final InstantSource clock;
  private final Semaphore admission;
  private final int maxInFlight;
  private final RowBufferPool buffers;
  private final int width;

  public RecommendPipeline(TieredCache cache, FeatureStore store, List<GroupKeys> userGroups, ItemKeys itemKeys,
      RowAssembler assembler, Predictor predictor, List<CandidateSource> sources, PopularityIndex popularity,
      Duration popularityRefresh, Set<String> scenarios, int maxCandidates, Executor executor,
      ScheduledExecutorService deadlines, EngineMetrics metrics, InstantSource clock, int maxInFlight) {
    this.cache = cache;
    this.store = store;
    this.userGroups = List.copyOf(userGroups);
    this.itemKeys = itemKeys;
    this.assembler = assembler;
    this.predictor = predictor;
    this.sources = List.copyOf(sources);
    this.popularity = popularity;
    this.resolvedBoards = new ResolvedBoards(itemKeys, popularity, popularityRefresh);
    this.scenarios = Set.copyOf(scenarios);
    this.maxCandidates = maxCandidates;
    this.executor = executor;
    this.deadlines = deadlines;
    this.metrics = metrics;
    this.clock = clock;
    this.maxInFlight = maxInFlight;
    this.admission = new Semaphore(maxInFlight);
    this.buffers = new RowBufferPool(Math.max(4, maxInFlight));
    this.width = assembler.columns().size();
  }

  /** Requests admitted and not yet answered. */
  public int inFlight() {
    return maxInFlight - admission.availablePermits();
  }

  /** Serves one request; see {@code PersonalizationEngine#recommend}. */
  public CompletableFuture<Recommendations> recommend(RecommendationRequest request) {
    String scenario = request.scenario().name();
    if (!scenarios.contains(scenario)) {
      metrics.request(scenario, Outcome.INVALID, -1);
      return CompletableFuture.failedFuture(new dev.personalization.InvalidRequestException("scenario",
          "unknown scenario '" + scenario + "'; register host-defined scenarios on the engine builder"));
    }
    if (!admission.tryAcquire()) {
      metrics.request(scenario, Outcome.REJECTED, -1);
      return CompletableFuture.failedFuture(new EngineOverloadedException(maxInFlight));
    }
    Execution x = new Execution(request);
    // The caller's future completes only after the permit is back and the metrics are recorded.
    CompletableFuture<Recommendations> answered = x.result.whenComplete(x::finish);
    try {
      x.run();
      // When every stage was served from memory the answer is already here and needs no timer;
      // otherwise the deadline counts from admission, not from now.
      if (!x.result.isDone()) {
        long left = request.deadline().toNanos() - (System.nanoTime() - x.startNanos);
        x.timeout = deadlines.schedule(x::expire, Math.max(0, left), TimeUnit.NANOSECONDS);
      }
    } catch (RuntimeException e) {
      x.fallBack("pipeline could not start: " + e);
    }
    return answered;
  }

  /** See {@code PersonalizationEngine#warmUp}. */
  public CompletableFuture<Integer> warmUp(java.util.Collection<String> itemIds, java.util.Collection<String> userIds) {
    List<String> items = new ArrayList<>(itemIds.size());
    for (String id : itemIds) {
      items.add(itemKeys.key(id));
    }
    CompletableFuture<Integer> warmed = cache.warmUp(items, itemKeys.schema().freshness(), this::loadItemKeys);
    for (GroupKeys g : userGroups) {
      List<String> keys = new ArrayList<>(userIds.size());
      for (String id : userIds) {
        keys.add(g.key(id));
      }
      warmed = warmed.thenCombine(cache.warmUp(keys, g.schema().freshness(), this::loadUserKeys), Integer::sum);
    }
    return warmed;
  }

  /** Popular items for the request's scenario, for fallbacks; scores are normalised popularity. */
  List<ScoredItem> popularFallback(RecommendationRequest request) {
    List<String> board = popularityBoards(request);
    List<ScoredItem> out = new ArrayList<>(request.limit());
    Set<String> seen = new LinkedHashSet<>();
    for (String b : board) {
      for (String id : popularity.top(b, request.limit() + request.excludedItemIds().size())) {
        if (out.size() < request.limit() && !request.excludedItemIds().contains(id) && seen.add(id)) {
          out.add(new ScoredItem(id, popularity.normalized(b, id)));
        }
      }
    }
    return out;
  }

  /** The popularity boards that feed a scenario, most specific first. */
  private List<String> popularityBoards(RecommendationRequest request) {
    Scenario s = request.scenario();
    if (s.equals(Scenario.CATEGORY)) {
      return List.of(PopularityIndex.categoryBoard(request.context(RecommendationRequest.CATEGORY_ID)));
    }
    return List.of(PopularityIndex.scenarioBoard(s.name()), PopularityIndex.GLOBAL);
  }

  /** The candidates' ids; for a board's list taken as it is, also their keys and popularity. */
  private record Candidates(List<String> ids, ResolvedBoards.Resolved resolved) {
  }

  private Candidates candidates(RecommendationRequest request) {
    List<String> boards = popularityBoards(request);
    if (request.candidateIds().isEmpty() && sources.isEmpty()) {
      // The common case: the first board alone fills the cap. A board's ids are distinct, so its
      // immutable top list is the answer as it is, without a merge, and resolved once for all.
      List<String> first = popularity.top(boards.get(0), maxCandidates);
      if (first.size() >= maxCandidates) {
        return new Candidates(first, resolvedBoards.resolve(boards.get(0), first));
      }
    }
    LinkedHashSet<String> merged = new LinkedHashSet<>(Math.min(maxCandidates, 256) * 2);
    for (String id : request.candidateIds()) {
      if (merged.size() >= maxCandidates) {
        break;
      }
      merged.add(id);
    }
    boolean hostRanked = request.scenario().equals(Scenario.SEARCH) && !request.candidateIds().isEmpty();
    if (!hostRanked) {
      for (String board : boards) {
        addUpTo(merged, popularity.top(board, maxCandidates));
      }
    }
    for (CandidateSource source : sources) {
      if (merged.size() >= maxCandidates) {
        break;
      }
      addUpTo(merged, source.candidates(request, maxCandidates - merged.size()));
    }
    return new Candidates(new ArrayList<>(merged), null);
  }

  private void addUpTo(LinkedHashSet<String> merged, List<String> ids) {
    for (int i = 0; i < ids.size() && merged.size() < maxCandidates; i++) {
      merged.add(ids.get(i));
    }
  }

  private CompletableFuture<Map<String, FeatureVector>> loadUserFeatures(String userId) {
    Map<FreshnessClass, List<String>> keysByClass = new EnumMap<>(FreshnessClass.class);
    for (GroupKeys g : userGroups) {
      keysByClass.computeIfAbsent(g.schema().freshness(), c -> new ArrayList<>(userGroups.size())).add(g.key(userId));
    }
    List<CompletableFuture<Map<String, FeatureVector>>> parts = new ArrayList<>(keysByClass.size());
    for (Map.Entry<FreshnessClass, List<String>> e : keysByClass.entrySet()) {
      parts.add(cache.getAll(e.getValue(), e.getKey(), this::loadUserKeys));
    }
    if (parts.size() == 1) {
      return parts.get(0).thenApply(this::byGroup);
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture<?>[]::new)).thenApply(ignored -> {
      Map<String, FeatureVector> all = new HashMap<>();
      parts.forEach(p -> all.putAll(p.join()));
      return byGroup(all);
    });
  }

  /** Re-keys user vectors from cache key to group name. */
  private Map<String, FeatureVector> byGroup(Map<String, FeatureVector> byKey) {
    Map<String, FeatureVector> out = new HashMap<>(userGroups.size() * 2);
    for (GroupKeys g : userGroups) {
      for (Map.Entry<String, FeatureVector> e : byKey.entrySet()) {
        if (e.getKey().endsWith(g.suffix()) && e.getKey().startsWith(g.prefix())) {
          out.put(g.schema().group(), e.getValue());
        }
      }
    }
    return out;
  }

  private CompletableFuture<Map<String, FeatureVector>> loadUserKeys(Set<String> keys) {
    return CompletableFuture.supplyAsync(() -> {
      Map<String, FeatureVector> out = new HashMap<>();
      for (GroupKeys g : userGroups) {
        List<String> ids = new ArrayList<>(1);
        for (String k : keys) {
          if (k.endsWith(g.suffix()) && k.startsWith(g.prefix())) {
            ids.add(g.id(k));
          }
        }
        if (!ids.isEmpty()) {
          store.fetchMany(g.schema(), ids).forEach((id, v) -> out.put(g.key(id), v));
        }
      }
      return out;
    }, executor);
  }

  private CompletableFuture<Map<String, FeatureVector>> loadItemKeys(Set<String> keys) {
    return CompletableFuture.supplyAsync(() -> {
      List<String> ids = new ArrayList<>(keys.size());
      for (String k : keys) {
        ids.add(itemKeys.id(k));
      }
      Map<String, FeatureVector> out = new HashMap<>(ids.size() * 2);
      store.fetchMany(itemKeys.schema(), ids).forEach((id, v) -> out.put(itemKeys.key(id), v));
      return out;
    }, executor);
  }

  /** One request's journey through the stages. */
  private final class Execution implements RowContext {
    final RecommendationRequest request;
    final long startNanos = System.nanoTime();
    final long nowMillis = clock.millis();
    final CompletableFuture<Recommendations> result = new CompletableFuture<>();
    // Nanosecond stamps per stage; UNSET until the stage begins or ends.
    final AtomicLongArray stageStart = unsetStamps();
    final AtomicLongArray stageEnd = unsetStamps();
    volatile ScheduledFuture<?> timeout;
    // Set before assembly, read by the assembler on the same thread.
    Map<String, FeatureVector> user;
    FeatureVector context;
    List<String> candidateIds;
    // The keys and global popularity of a board's list taken as it is; null otherwise.
    ResolvedBoards.Resolved resolved;
    FeatureVector[] items;

    Execution(RecommendationRequest request) {
      this.request = request;
    }

    void run() {
      begin(Stage.USER_FEATURES);
      CompletableFuture<Map<String, FeatureVector>> userF =
          loadUserFeatures(request.userId()).whenComplete((v, e) -> end(Stage.USER_FEATURES));
      begin(Stage.CANDIDATES);
      // Host candidates and popularity are in memory: computing them here, while the user's
      // features may be loading elsewhere, saves two thread hand-offs per request. Host-supplied
      // sources may do I/O, so they run on the executor.
      CompletableFuture<Candidates> candidatesF = (sources.isEmpty() ? inline(() -> candidates(request))
          : CompletableFuture.supplyAsync(() -> candidates(request), executor))
          .whenComplete((v, e) -> end(Stage.CANDIDATES));
      // Context features are pure CPU and tiny: computed here while the other two are in flight.
      begin(Stage.CONTEXT);
      FeatureVector ctx = assembler.contextFeatures(request, nowMillis);
      end(Stage.CONTEXT);
      CompletableFuture<FeatureVector[]> itemsF = candidatesF.thenCompose(c -> {
        begin(Stage.ITEM_FEATURES);
        List<String> keys;
        if (c.resolved() != null) {
          keys = c.resolved().keys();
        } else {
          keys = new ArrayList<>(c.ids().size());
          for (String id : c.ids()) {
            keys.add(itemKeys.key(id));
          }
        }
        return cache.getAllAligned(keys, itemKeys.schema().freshness(), RecommendPipeline.this::loadItemKeys)
            .thenApply(aligned -> {
              end(Stage.ITEM_FEATURES);
              return aligned;
            });
      });
      userF.thenAcceptBoth(itemsF, (u, itemVectors) -> {
        this.user = u;
        this.context = ctx;
        Candidates c = candidatesF.join();
        this.candidateIds = c.ids();
        this.resolved = c.resolved();
        this.items = itemVectors;
        score();
      }).exceptionally(e -> {
        fallBack(failedStage() + " failed: " + rootCause(e));
        return null;
      });
    }

    private void score() {
      if (result.isDone()) {
        return;
      }
      int n = candidateIds.size();
      if (n == 0) {
        complete(List.of(), predictor.version());
        return;
      }
      begin(Stage.SCORING);
      float[] buffer = buffers.borrow(n * width);
      CompletableFuture<Prediction> scoresF;
      try {
        assembler.assemble(this, buffer);
        // What is left of the deadline: a batching predictor drops the rows unscored once it is gone.
        Duration left = request.deadline().minus(elapsed());
        scoresF = predictor.predictWithin(new FeatureRows(buffer, n, width), left.isNegative() ? Duration.ZERO : left);
      } catch (RuntimeException e) {
        scoresF = CompletableFuture.failedFuture(e);
      }
      scoresF.whenComplete((prediction, e) -> {
        buffers.giveBack(buffer);
        if (e != null) {
          end(Stage.SCORING);
          fallBack("scoring failed: " + rootCause(e));
          return;
        }
        float[] scores = prediction.scores();
        if (scores.length != n) {
          fallBack("scoring failed: the model returned " + scores.length + " scores for " + n + " rows");
          return;
        }
        end(Stage.SCORING);
        begin(Stage.RANKING);
        List<ScoredItem> ranked = Ranker.topK(candidateIds, scores, request.limit(),
            user.get(FeatureUpdaters.RECENT_ITEMS), request.excludedItemIds());
        end(Stage.RANKING);
        // The version that scored these rows, which may differ from version() during a hot swap.
        complete(ranked, prediction.modelVersion());
      });
    }

    void complete(List<ScoredItem> ranked, String version) {
      result.complete(new Recommendations(ranked, version, false, null, timings(), elapsed()));
    }

    void expire() {
      if (!result.isDone()) {
        fallBack("deadline of " + request.deadline().toMillis() + " ms exceeded in " + pendingStages());
      }
    }

    void fallBack(String reason) {
      if (result.isDone()) {
        return;
      }
      List<ScoredItem> items;
      String why = reason;
      try {
        items = popularFallback(request);
      } catch (RuntimeException e) {
        items = List.of();
        why = reason + "; popular fallback failed too: " + e;
      }
      String logged = why;
      LOG.log(System.Logger.Level.DEBUG, () -> "degraded " + request + ": " + logged);
      result.complete(new Recommendations(items, FALLBACK_VERSION, true, why, timings(), elapsed()));
    }

    void finish(Recommendations r, Throwable error) {
      admission.release();
      ScheduledFuture<?> t = timeout;
      if (t != null) {
        t.cancel(false);
      }
      Outcome outcome = error != null ? Outcome.ERROR : r.degraded() ? Outcome.DEGRADED : Outcome.OK;
      metrics.request(request.scenario().name(), outcome, System.nanoTime() - startNanos);
    }

    void begin(Stage s) {
      stageStart.set(s.ordinal(), System.nanoTime());
    }

    void end(Stage s) {
      long start = stageStart.get(s.ordinal());
      long now = System.nanoTime();
      if (start != UNSET && stageEnd.compareAndSet(s.ordinal(), UNSET, now)) {
        metrics.stage(s, now - start);
      }
    }

    String pendingStages() {
      List<String> pending = new ArrayList<>();
      for (Stage s : Stage.values()) {
        if (stageStart.get(s.ordinal()) != UNSET && stageEnd.get(s.ordinal()) == UNSET) {
          pending.add(s.tag);
        }
      }
      return pending.isEmpty() ? "the pipeline" : String.join(", ", pending);
    }

    String failedStage() {
      String pending = pendingStages();
      return pending.equals("the pipeline") ? "a stage" : pending;
    }

    Map<String, Duration> timings() {
      Map<String, Duration> t = new LinkedHashMap<>();
      for (Stage s : Stage.values()) {
        long a = stageStart.get(s.ordinal());
        long b = stageEnd.get(s.ordinal());
        if (a != UNSET && b != UNSET) {
          t.put(s.tag, Duration.ofNanos(b - a));
        }
      }
      return t;
    }

    Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    @Override
    public RecommendationRequest request() {
      return request;
    }

    @Override
    public long nowMillis() {
      return nowMillis;
    }

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
      return candidateIds.size();
    }

    @Override
    public String candidateId(int i) {
      return candidateIds.get(i);
    }

    @Override
    public FeatureVector itemFeatures(int i) {
      return items[i];
    }

    @Override
    public float popularity(int i) {
      return resolved != null ? resolved.popularity()[i]
          : popularity.normalized(PopularityIndex.GLOBAL, candidateIds.get(i));
    }
  }

  private static <T> CompletableFuture<T> inline(java.util.function.Supplier<T> stage) {
    try {
      return CompletableFuture.completedFuture(stage.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** A nanoTime stamp no stage will ever carry in practice. */
  private static final long UNSET = Long.MIN_VALUE;

  private static AtomicLongArray unsetStamps() {
    AtomicLongArray a = new AtomicLongArray(Stage.values().length);
    for (int i = 0; i < a.length(); i++) {
      a.set(i, UNSET);
    }
    return a;
  }

  static String rootCause(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t.toString();
  }
}
