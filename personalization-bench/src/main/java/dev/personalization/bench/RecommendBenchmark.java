package dev.personalization.bench;

import dev.personalization.Event;
import dev.personalization.IngestResult;
import dev.personalization.Item;
import dev.personalization.PersonalizationEngine;
import dev.personalization.RecommendationRequest;
import dev.personalization.Recommendations;
import dev.personalization.Scenario;
import dev.personalization.cache.caffeine.CaffeineTier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@code recommendNow} end to end on embedded defaults (Caffeine L1, in-memory store, logistic
 * starter model) with every feature in L1 and 200 candidates scored per call. Goal: 20,000 calls per
 * second on 2 threads.
 *
 * <p>The engine holds 2,000 items in 20 categories and 1,000 users with 30,000 events between them,
 * enough that the homepage popularity board yields the full 200 candidates. {@link #setUp()} proves
 * it: a probe user's call with limit 200 must come back with 200 scored items, not degraded; and a
 * warm-up round over the benchmark's users must not reach the loader. Calls carry a 1 s deadline so
 * that a collector pause cannot turn a measured call into a cheap fallback; the trial fails if any
 * call degraded.
 *
 * <p>{@link #executor} selects where the engine runs its asynchronous stages: {@code engine-pool}
 * is the default (its own pool of 2 x CPUs), {@code caller-thread} passes
 * {@code executor(Runnable::run)}, so that a call completes on the caller's thread without a hand-off.
 * The second is only sound here because the in-memory store never blocks; it shows what the
 * hand-offs cost.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class RecommendBenchmark {

  static final int ITEMS = 2_000;
  static final int CATEGORIES = 20;
  static final int USERS = 1_000;
  static final int EVENTS = 30_000;
  static final int CANDIDATES = PersonalizationEngine.DEFAULT_MAX_CANDIDATES;
  static final String PROBE_USER = "probe";

  @Param({"engine-pool", "caller-thread"})
  String executor;

  PersonalizationEngine engine;
  MeterRegistry registry;
  RecommendationRequest[] requests;

  @Setup(Level.Trial)
  public void setUp() {
    registry = new SimpleMeterRegistry();
    PersonalizationEngine.Builder builder = PersonalizationEngine.builder();
    if (executor.equals("caller-thread")) {
      builder.executor(Runnable::run);
    } else if (!executor.equals("engine-pool")) {
      throw new IllegalArgumentException("executor must be engine-pool or caller-thread, was " + executor);
    }
    engine = builder
        .meterRegistry(registry)
        .addCacheTier(CaffeineTier.builder().name("l1").maximumEntries(100_000).meterRegistry(registry).build())
        .itemColumns(List.of("quality", "price_level", "freshness"))
        .build();
    Random random = new Random(42);
    List<Item> items = new ArrayList<>(ITEMS);
    for (int i = 0; i < ITEMS; i++) {
      items.add(new Item("sku-" + i, "cat-" + (i % CATEGORIES),
          new float[] {random.nextFloat(), random.nextInt(5) / 4f, random.nextFloat()}));
    }
    engine.upsertItems(items);
    ingest(random);
    requests = new RecommendationRequest[USERS];
    for (int u = 0; u < USERS; u++) {
      requests[u] = RecommendationRequest.builder("user-" + u, Scenario.HOMEPAGE)
          .limit(10)
          .deadline(Duration.ofSeconds(1))
          .build();
    }
    verify();
  }

  /**
   * Events on every item, skewed towards low item numbers, all on the homepage; the probe user's
   * single event is in search, so it changes nothing on the homepage board.
   */
  private void ingest(Random random) {
    Instant now = Instant.now();
    List<Event> batch = new ArrayList<>(1_000);
    String[] types = {"view", "view", "view", "view", "click", "click", "add_to_cart", "purchase"};
    for (int n = 0; n < EVENTS; n++) {
      int item = (int) Math.min(ITEMS - 1, Math.floor(Math.pow(random.nextDouble(), 2) * ITEMS));
      batch.add(new Event("ev-" + n, "user-" + random.nextInt(USERS), "sku-" + item, types[random.nextInt(types.length)],
          now.minusSeconds(random.nextInt(3 * 86_400)), 1.0, null, Scenario.HOMEPAGE.name()));
      if (batch.size() == 1_000) {
        checked(engine.ingest(batch));
        batch = new ArrayList<>(1_000);
      }
    }
    batch.add(new Event("ev-probe", PROBE_USER, "sku-" + (ITEMS - 1), "view", now.minusSeconds(60), 1.0, null,
        Scenario.SEARCH.name()));
    checked(engine.ingest(batch));
  }

  private static void checked(IngestResult result) {
    if (!result.rejected().isEmpty()) {
      throw new IllegalStateException("rejected events: " + result.rejected());
    }
  }

  /** Fails the trial unless calls score the full 200 candidates out of a warm L1. */
  private void verify() {
    Recommendations probe = engine.recommendNow(RecommendationRequest.builder(PROBE_USER, Scenario.HOMEPAGE)
        .limit(CANDIDATES).deadline(Duration.ofSeconds(1)).build());
    if (probe.degraded() || probe.items().isEmpty()) {
      throw new IllegalStateException("the probe call degraded or came back empty: " + probe.degradationReason());
    }
    if (probe.items().size() != CANDIDATES) {
      throw new IllegalStateException("the probe call scored " + probe.items().size() + " candidates, not " + CANDIDATES);
    }
    for (RecommendationRequest r : requests) {
      Recommendations recs = engine.recommendNow(r);
      if (recs.degraded() || recs.items().isEmpty()) {
        throw new IllegalStateException("call for " + r.userId() + " degraded or came back empty: " + recs.degradationReason());
      }
    }
    double loaderBefore = count("personalization.cache.gets", "tier", "loader");
    for (RecommendationRequest r : requests) {
      engine.recommendNow(r);
    }
    double loaded = count("personalization.cache.gets", "tier", "loader") - loaderBefore;
    if (loaded != 0) {
      throw new IllegalStateException(loaded + " lookups reached the loader: the L1 tier is not warm");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    double degraded = count("personalization.requests", "outcome", "degraded");
    double errors = count("personalization.requests", "outcome", "error") + count("personalization.requests", "outcome", "rejected");
    engine.close();
    if (degraded > 0 || errors > 0) {
      throw new IllegalStateException(degraded + " calls degraded and " + errors + " failed or were rejected: "
          + "the measured figure mixes in fallbacks");
    }
  }

  private double count(String meter, String tag, String value) {
    double sum = 0;
    for (Counter c : registry.find(meter).tag(tag, value).counters()) {
      sum += c.count();
    }
    return sum;
  }

  /** A per-thread walk over the users. */
  @State(Scope.Thread)
  public static class Caller {
    int next;

    int nextUser() {
      int n = next + 1;
      next = n == USERS ? 0 : n;
      return next;
    }
  }

  @Benchmark
  @Threads(1)
  public void recommendOneThread(Caller caller, Blackhole bh) {
    bh.consume(engine.recommendNow(requests[caller.nextUser()]));
  }

  @Benchmark
  @Threads(2)
  public void recommendTwoThreads(Caller caller, Blackhole bh) {
    bh.consume(engine.recommendNow(requests[caller.nextUser()]));
  }
}
