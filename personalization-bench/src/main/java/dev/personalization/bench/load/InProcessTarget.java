package dev.personalization.bench.load;

import dev.personalization.EngineOverloadedException;
import dev.personalization.PersonalizationEngine;
import dev.personalization.bench.workload.SyntheticWorkload;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine in this process, called the way a host service calls it: each request is handed to a
 * pool of <em>host request threads</em> (one per core by default, like a server's event loops),
 * which build the {@code RecommendationRequest} and call {@link PersonalizationEngine#recommend}.
 *
 * <p>Why not call the engine on the sender thread: {@code recommend} never blocks, but the stages
 * it completes at once (L1 hits, and often scoring itself) run on the calling thread. On the sender
 * that work would delay the next due request and show up as send lag, blaming the load generator
 * for the engine's CPU time. Behind the hand-off the sender only schedules, and the engine's work
 * — including any queueing for host threads — lands in the latency measured from the intended
 * start, where it belongs.
 *
 * <p>Rejections by the admission limit ({@link EngineOverloadedException}) count as rejected errors.
 * Cache lookups come from the engine's {@code personalization.cache.gets} counters; CPU and heap are
 * this JVM's (so they include the load generator's own, which is small and reported apart).
 *
 * <p>Thread-safe. {@link #close()} stops the host threads and closes the engine.
 */
public final class InProcessTarget implements Target {

  private final PersonalizationEngine engine;
  private final EngineFactory factory;
  private final ExecutorService hostThreads;
  private final SimpleMeterRegistry registry;
  private final String description;
  private final long seedEvents;
  private final double seedSeconds;

  private InProcessTarget(PersonalizationEngine engine, EngineFactory factory, SimpleMeterRegistry registry,
      String description, long seedEvents, double seedSeconds, int hostThreads) {
    this.engine = engine;
    this.factory = factory;
    AtomicInteger n = new AtomicInteger();
    this.hostThreads = Executors.newFixedThreadPool(hostThreads, r -> {
      Thread t = new Thread(r, "host-request-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.registry = registry;
    this.description = description;
    this.seedEvents = seedEvents;
    this.seedSeconds = seedSeconds;
  }

  /**
   * Builds an engine with {@code factory}, loads {@code workload}'s catalog and seed events into it,
   * and returns the target with one host request thread per core. Takes a few seconds for the
   * standard workload (ingest).
   */
  public static InProcessTarget start(EngineFactory factory, SyntheticWorkload workload) {
    return start(factory, workload, Runtime.getRuntime().availableProcessors());
  }

  /** {@link #start(EngineFactory, SyntheticWorkload)} with {@code hostThreads} host request threads. */
  public static InProcessTarget start(EngineFactory factory, SyntheticWorkload workload, int hostThreads) {
    if (hostThreads < 1) {
      throw new IllegalArgumentException("hostThreads must be >= 1, was " + hostThreads);
    }
    Objects.requireNonNull(factory, "factory");
    Objects.requireNonNull(workload, "workload");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PersonalizationEngine engine;
    try {
      engine = factory.create(registry, workload.spec());
    } catch (RuntimeException e) {
      factory.close();
      throw e;
    }
    long t0 = System.nanoTime();
    long applied;
    try {
      applied = workload.loadInto(engine, Instant.now());
    } catch (RuntimeException e) {
      engine.close();
      factory.close();
      throw e;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new InProcessTarget(engine, factory, registry, "in-process engine: " + factory.description(), applied,
        seconds, hostThreads);
  }

  /** The engine under load. */
  public PersonalizationEngine engine() {
    return engine;
  }

  /** Seed events the engine applied before the load. */
  public long seedEvents() {
    return seedEvents;
  }

  /** How long loading the catalog and the seed events took, seconds. */
  public double seedSeconds() {
    return seedSeconds;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public CompletableFuture<TargetResponse> send(LoadRequest request) {
    return CompletableFuture.supplyAsync(() -> engine.recommend(request.toEngineRequest()), hostThreads)
        .thenCompose(answer -> answer)
        .thenApply(r -> TargetResponse.of(r.degraded()));
  }

  @Override
  public boolean isRejection(Throwable failure) {
    return failure instanceof EngineOverloadedException;
  }

  @Override
  public Map<String, TierCounts> cacheCounts() {
    Map<String, long[]> sums = new LinkedHashMap<>();
    for (Counter c : Search.in(registry).name("personalization.cache.gets").counters()) {
      String tier = c.getId().getTag("tier");
      String freshness = c.getId().getTag("freshness");
      boolean hit = "hit".equals(c.getId().getTag("result"));
      long n = (long) c.count();
      add(sums, tier, hit, n);
      add(sums, tier + "/" + freshness, hit, n);
    }
    Map<String, TierCounts> out = new LinkedHashMap<>();
    sums.forEach((k, v) -> out.put(k, new TierCounts(v[0], v[1])));
    return out;
  }

  private static void add(Map<String, long[]> sums, String key, boolean hit, long n) {
    long[] s = sums.computeIfAbsent(key, k -> new long[2]);
    s[hit ? 0 : 1] += n;
  }

  @Override
  public ResourceProbe resources() {
    return ResourceProbe.thisJvm();
  }

  /** Collects garbage so that one step's garbage does not count against the next step's heap. */
  @Override
  public void settle() {
    System.gc();
  }

  @Override
  public void close() {
    hostThreads.shutdownNow();
    engine.close();
    factory.close();
  }
}
