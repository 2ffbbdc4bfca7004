package dev.personalization.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.Event;
import dev.personalization.Item;
import dev.personalization.PersonalizationEngine;
import dev.personalization.RecommendationRequest;
import dev.personalization.Recommendations;
import dev.personalization.Scenario;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.feature.FeatureStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis killed, paused (SIGSTOP) and restarted under concurrent recommend traffic. The L1 is kept
 * small so that most lookups go to Redis; the store takes {@value #STORE_MILLIS} ms per read.
 */
class RedisFaultsIT {

  private static final long STORE_MILLIS = 3;
  private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(RedisTier.Builder.DEFAULT_COMMAND_TIMEOUT_MILLIS);

  private LocalRedisServer server;
  private RedisCacheTier tier;
  private PersonalizationEngine engine;
  private SimpleMeterRegistry registry;
  private final List<String> itemIds = new ArrayList<>();

  @BeforeEach
  void setUp() {
    server = LocalRedisServer.start();
    registry = new SimpleMeterRegistry();
    tier = RedisTier.builder().uri(server.uri()).namespace("faults").meterRegistry(registry).build();
    FeatureStore store = RedisFixtures.slowStore(FeatureStore.inMemory(), Duration.ofMillis(STORE_MILLIS));
    engine = RedisFixtures.engine(tier, store, registry, 30);
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      items.add(new Item("sku-" + i, "c" + (i % 5), new float[] {i / 300f}));
      itemIds.add("sku-" + i);
    }
    engine.upsertItems(items);
    List<Event> events = new ArrayList<>();
    for (int u = 0; u < 50; u++) {
      events.add(Event.of("e-" + u, "user-" + u, "sku-" + u, "click", Instant.now().minusSeconds(10)));
    }
    engine.ingest(events);
  }

  @AfterEach
  void tearDown() {
    if (server.isAlive()) {
      server.resume();
    }
    engine.close();
    server.close();
  }

  /** Concurrent recommend traffic; records every request's latency, error and degradation. */
  private final class Load implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger errors = new AtomicInteger();
    final AtomicInteger degraded = new AtomicInteger();
    final List<Throwable> firstErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
    final ExecutorService pool = Executors.newFixedThreadPool(4);
    final List<Future<?>> workers = new ArrayList<>();
    /** Latencies of requests started after {@link #measureFrom}, in microseconds. */
    final List<Long> measured = java.util.Collections.synchronizedList(new ArrayList<>());
    final ThreadLocal<String> last = new ThreadLocal<>();
    final List<String> slow = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile long measureFrom = Long.MAX_VALUE;
    volatile long measureTo = Long.MAX_VALUE;

    Load() {
      for (int t = 0; t < 4; t++) {
        workers.add(pool.submit(this::run));
      }
    }

    private void run() {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (running.get()) {
        List<String> candidates = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          candidates.add(itemIds.get(random.nextInt(itemIds.size())));
        }
        RecommendationRequest request = RecommendationRequest.builder("user-" + random.nextInt(50), Scenario.HOMEPAGE)
            .candidates(candidates).limit(10).deadline(Duration.ofSeconds(2)).build();
        long start = System.nanoTime();
        try {
          Recommendations r = engine.recommendNow(request);
          last.set(r.stageTimings() + " elapsed=" + r.elapsed() + " breaker=" + tier.breakerState());
          if (r.degraded()) {
            degraded.incrementAndGet();
            if (firstErrors.size() < 5) {
              firstErrors.add(new AssertionError("degraded: " + r.reason()));
            }
          }
        } catch (RuntimeException e) {
          errors.incrementAndGet();
          if (firstErrors.size() < 5) {
            firstErrors.add(e);
          }
        }
        long end = System.nanoTime();
        if (start >= measureFrom && start < measureTo) {
          measured.add((end - start) / 1_000);
          if (end - start > 45_000_000L && slow.size() < 10) {
            slow.add((end - start) / 1_000 + "us " + last.get());
          }
        }
        requests.incrementAndGet();
      }
    }

    /** The measured latencies, sorted; the list is appended to concurrently. */
    long[] snapshot() {
      synchronized (measured) {
        return measured.stream().mapToLong(Long::longValue).sorted().toArray();
      }
    }

    void measureNow() {
      measureFrom = System.nanoTime();
    }

    void stopMeasuring() {
      measureTo = System.nanoTime();
    }

    @Override
    public void close() throws Exception {
      running.set(false);
      for (Future<?> f : workers) {
        f.get(10, TimeUnit.SECONDS);
      }
      pool.shutdown();
    }
  }

  private double redisCommands(String result) {
    return registry.get("personalization.redis.commands").tag("result", result).counter().count();
  }

  private static void sleep(long millis) throws InterruptedException {
    Thread.sleep(millis);
  }

  @Test
  void withRedisKilledRequestsKeepSucceedingWithoutErrors() throws Exception {
    int before;
    try (Load load = new Load()) {
      sleep(1_000);
      before = load.requests.get();
      server.kill();
      sleep(2_000);
      load.close();
      int during = load.requests.get() - before;
      System.out.printf("redis killed: %d requests before, %d after the kill, %d errors, %d degraded; breaker %s%n",
          before, during, load.errors.get(), load.degraded.get(), tier.breakerState());
      assertEquals(0, load.errors.get(), () -> "errors reached the caller: " + load.firstErrors);
      assertEquals(0, load.degraded.get(), () -> "degraded answers: " + load.firstErrors);
      assertTrue(during > 100, "too few requests after the kill to mean anything: " + during);
      assertTrue(tier.breakerState() != CircuitBreaker.State.CLOSED, "the breaker should not be closed: " + tier.breakerState());
    }
  }

  /**
   * Measures how long this JVM could not run a thread on time (a "hiccup" meter, as jHiccup does):
   * a thread sleeps 1 ms at a time and records the largest oversleep. On a starved CI machine, or
   * during a GC pause, it grows with every request's latency; it does not grow when the tier itself
   * makes requests wait (a hung connection or a coarse timer), which is what the test is for.
   */
  private static final class HiccupMeter implements AutoCloseable {
    private final AtomicLong maxNanos = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    HiccupMeter() {
      thread = new Thread(() -> {
        while (running) {
          long start = System.nanoTime();
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            return;
          }
          long over = System.nanoTime() - start - 1_000_000L;
          maxNanos.accumulateAndGet(over, Math::max);
        }
      }, "hiccup-meter");
      thread.setDaemon(true);
      thread.start();
    }

    /** The largest stall since the last reset, and starts a new window. */
    long takeMaxMillis() {
      return maxNanos.getAndSet(0) / 1_000_000L;
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join(1_000);
    }
  }

  @Test
  void withRedisPausedNoRequestWaitsLongerThanTheCommandTimeoutPlusTheStore() throws Exception {
    try (Load load = new Load(); HiccupMeter hiccups = new HiccupMeter()) {
      // A healthy period first: 2 s warm the JIT and the connection pool up (a slow, starved CI
      // machine needs the time), then 2 s give the baseline to compare with.
      sleep(2_000);
      hiccups.takeMaxMillis();
      load.measureNow();
      sleep(2_000);
      load.stopMeasuring();
      long baselineStall = hiccups.takeMaxMillis();
      long[] base = load.snapshot();
      long baselineP99 = base[(int) (base.length * 0.99)];
      System.out.printf("baseline (healthy) 2 s: %d requests, p50 %.1f ms, p99 %.1f ms, max %.1f ms; largest JVM stall %d ms%n",
          base.length, base[base.length / 2] / 1e3, baselineP99 / 1e3, base[base.length - 1] / 1e3, baselineStall);
      synchronized (load.measured) {
        load.measured.clear();
      }
      load.slow.clear();
      load.measureTo = Long.MAX_VALUE;
      server.pause();
      load.measureNow();
      sleep(2_000);
      load.stopMeasuring();
      long pauseStall = hiccups.takeMaxMillis();
      server.resume();
      sleep(200);
      load.close();
      long[] latencies = load.snapshot();
      long max = latencies[latencies.length - 1];
      long p99 = latencies[(int) (latencies.length * 0.99)];
      long p50 = latencies[latencies.length / 2];
      System.out.printf("redis paused (SIGSTOP) for 2 s: %d requests, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
          + "%.0f timeouts, %.0f calls skipped by the breaker; %d errors, %d degraded; largest JVM stall %d ms%n",
          latencies.length, p50 / 1e3, p99 / 1e3, max / 1e3, redisCommands("timeout"), redisCommands("rejected"),
          load.errors.get(), load.degraded.get(), pauseStall);
      assertEquals(0, load.errors.get(), () -> "errors reached the caller: " + load.firstErrors);
      assertEquals(0, load.degraded.get(), () -> "degraded answers: " + load.firstErrors);
      assertTrue(redisCommands("timeout") > 0, "the pause was not noticed");
      assertTrue(redisCommands("rejected") > 0, "the breaker never opened");
      // A lookup makes at most one Redis call and then reads the store: user and item lookups run
      // concurrently, and the user lookup reads three groups, one store read each. So the pause may
      // add at most the command timeout plus 3 store reads to what a request costs anyway.
      //
      // What a request costs anyway on this machine is noisy (4 client threads on 2 cores, plus
      // whatever else runs), so each bound adds a documented margin:
      //  - p99: the healthy p99, at least 30 ms.
      //  - max: 30 ms plus twice the largest stall the hiccup meter saw during the pause. The meter
      //    grows when the machine starves the JVM (or a GC stops it), not when the tier makes a
      //    request wait, so a starved CI run widens the bound by what the starvation cost, while a
      //    tier that waited for Lettuce's own timeout (a 100 ms timer wheel) or for a hung connection
      //    (up to the 2 s deadline, then degraded) still fails unless the JVM itself stalled for a
      //    comparable time.
      long added = COMMAND_TIMEOUT.toMillis() + 3 * STORE_MILLIS;
      long p99Bound = added * 1_000 + Math.max(30_000, baselineP99);
      long maxBound = (added + 30 + 2 * pauseStall) * 1_000;
      assertTrue(p99 < p99Bound, "p99 " + p99 / 1e3 + " ms, over " + added + " ms + the healthy p99 "
          + baselineP99 / 1e3 + " ms (at least 30 ms)");
      assertTrue(max < maxBound, "a request waited " + max / 1e3 + " ms, over " + added + " ms + 30 ms + twice the "
          + "largest JVM stall (" + pauseStall + " ms): "
          + Arrays.toString(Arrays.copyOfRange(latencies, Math.max(0, latencies.length - 10), latencies.length))
          + " slowest: " + load.slow);
    }
  }

  @Test
  void afterARestartTheTierAndTheBusRecoverWithoutRestartingTheEngine() throws Exception {
    try (Load load = new Load()) {
      sleep(500);
      server.kill();
      sleep(1_000);
      server.restart();
      long restarted = System.nanoTime();
      // The breaker half-opens after 1 s, reconnects back off to at most 1 s: recovery within a few.
      while (tier.breakerState() != CircuitBreaker.State.CLOSED || redisCommands("ok") == 0) {
        assertTrue(System.nanoTime() - restarted < TimeUnit.SECONDS.toNanos(10), "no recovery within 10 s: " + tier.breakerState());
        sleep(50);
      }
      double okAtRecovery = redisCommands("ok");
      sleep(1_000);
      load.close();
      System.out.printf("redis restarted: tier closed its breaker %.0f ms after the restart; %d requests, %d errors, "
          + "%d degraded; resyncs %.0f%n", (System.nanoTime() - restarted) / 1e6 - 1_000, load.requests.get(),
          load.errors.get(), load.degraded.get(), registry.get("personalization.cache.resyncs").counter().count());
      assertEquals(0, load.errors.get(), () -> "errors reached the caller: " + load.firstErrors);
      assertEquals(0, load.degraded.get(), () -> "degraded answers: " + load.firstErrors);
      assertTrue(redisCommands("ok") > okAtRecovery + 50, "Redis is not being used again");
      // The restarted Redis is empty: the traffic's fills wrote item vectors into it again.
      try (var client = io.lettuce.core.RedisClient.create(server.uri()); var c = client.connect()) {
        assertTrue(c.sync().dbsize() > 0, "nothing was written to the restarted Redis");
      }
      // The bus resubscribed and had the L1 cleared, since invalidations may have been lost.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (registry.get("personalization.cache.resyncs").counter().count() < 1) {
        assertTrue(System.nanoTime() < deadline, "the invalidation bus did not resync after the restart");
        sleep(50);
      }
    }
  }
}
