package dev.personalization.examples.quickstart;

import dev.personalization.PersonalizationEngine;
import dev.personalization.RecommendationRequest;
import dev.personalization.Recommendations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Calls {@code recommendNow} from a fixed set of threads, the way a host's request threads would,
 * and times every call with {@link System#nanoTime()} into a per-thread array, so that the
 * percentiles are exact rather than estimated.
 *
 * <p>Two shapes of load: a closed loop (each thread calls again as soon as it has its answer; this
 * finds the throughput) and a paced open loop at a fixed rate (this shows what the process costs at
 * a given load; latency is measured from the moment a call was due, so a stall counts against every
 * call it delayed). Not thread-safe: one phase at a time.
 */
final class LoadGenerator implements AutoCloseable {

  private final PersonalizationEngine engine;
  private final SyntheticShop shop;
  private final int threads;
  private final long seed;
  private final ExecutorService pool;
  private int phases;

  LoadGenerator(PersonalizationEngine engine, SyntheticShop shop, int threads, long seed) {
    this.engine = engine;
    this.shop = shop;
    this.threads = threads;
    this.seed = seed;
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "quickstart-caller-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** {@code calls} calls as fast as the threads can make them. */
  PhaseResult closedLoop(int calls) {
    return run(calls, 0);
  }

  /** Calls at {@code rps} per second in total for {@code duration}. */
  PhaseResult paced(int rps, Duration duration) {
    long calls = Math.max(1, duration.toNanos() * rps / 1_000_000_000L);
    return run((int) Math.min(Integer.MAX_VALUE, calls), 1_000_000_000L / rps);
  }

  private PhaseResult run(int calls, long intervalNanos) {
    int phase = phases++;
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    long[] startNanos = new long[1];
    List<Future<Worker>> futures = new ArrayList<>(threads);
    for (int t = 0; t < threads; t++) {
      int share = calls / threads + (t < calls % threads ? 1 : 0);
      Worker w = new Worker(share, new Random(seed * 1_000_003L + phase * 1_009L + t),
          intervalNanos * threads, intervalNanos * t);
      futures.add(pool.submit(() -> {
        ready.countDown();
        go.await();
        w.run(startNanos[0]);
        return w;
      }));
    }
    awaitQuietly(ready);
    long cpuBefore = ProcessProbe.cpuNanos();
    startNanos[0] = System.nanoTime();
    // The latch publishes startNanos[0] to the workers.
    go.countDown();
    List<Worker> done = new ArrayList<>(threads);
    for (Future<Worker> f : futures) {
      try {
        done.add(f.get());
      } catch (ExecutionException e) {
        throw new IllegalStateException("a caller thread failed", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the caller threads", e);
      }
    }
    long wall = System.nanoTime() - startNanos[0];
    long cpuAfter = ProcessProbe.cpuNanos();
    return merge(done, wall, cpuBefore < 0 || cpuAfter < 0 ? -1 : cpuAfter - cpuBefore);
  }

  private static PhaseResult merge(List<Worker> workers, long wall, long cpu) {
    int calls = 0;
    int errors = 0;
    int degraded = 0;
    int empty = 0;
    String firstError = null;
    String firstDegradation = null;
    Map<String, Integer> perScenario = new HashMap<>();
    for (Worker w : workers) {
      calls += w.latencies.length;
      errors += w.errors;
      degraded += w.degraded;
      empty += w.empty;
      firstError = firstError != null ? firstError : w.firstError;
      firstDegradation = firstDegradation != null ? firstDegradation : w.firstDegradation;
      for (String s : w.scenarios) {
        perScenario.merge(s, 1, Integer::sum);
      }
    }
    long[] all = new long[calls];
    Map<String, long[]> byScenario = new HashMap<>();
    Map<String, Integer> filled = new HashMap<>();
    perScenario.forEach((s, n) -> {
      byScenario.put(s, new long[n]);
      filled.put(s, 0);
    });
    int at = 0;
    for (Worker w : workers) {
      for (int i = 0; i < w.latencies.length; i++) {
        all[at++] = w.latencies[i];
        int slot = filled.merge(w.scenarios[i], 1, Integer::sum) - 1;
        byScenario.get(w.scenarios[i])[slot] = w.latencies[i];
      }
    }
    byScenario.values().forEach(java.util.Arrays::sort);
    return new PhaseResult(calls, PhaseResult.sorted(all), byScenario, errors, degraded, empty, wall, cpu, firstError,
        firstDegradation);
  }

  @Override
  public void close() {
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the caller threads", e);
    }
  }

  /** One caller thread's share of a phase and what it saw. */
  private final class Worker {
    final long[] latencies;
    final String[] scenarios;
    final Random random;
    /** Time between this thread's calls when paced; 0 in a closed loop. */
    final long periodNanos;
    final long offsetNanos;
    int errors;
    int degraded;
    int empty;
    String firstError;
    String firstDegradation;

    Worker(int calls, Random random, long periodNanos, long offsetNanos) {
      this.latencies = new long[calls];
      this.scenarios = new String[calls];
      this.random = random;
      this.periodNanos = periodNanos;
      this.offsetNanos = offsetNanos;
    }

    void run(long phaseStartNanos) {
      for (int i = 0; i < latencies.length; i++) {
        RecommendationRequest request = shop.request(random);
        scenarios[i] = request.scenario().name();
        long start;
        if (periodNanos > 0) {
          start = phaseStartNanos + offsetNanos + i * periodNanos;
          long wait;
          // parkNanos may return early; never start a call before it is due.
          while ((wait = start - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
          }
        } else {
          start = System.nanoTime();
        }
        try {
          Recommendations r = engine.recommendNow(request);
          if (r.degraded()) {
            degraded++;
            if (firstDegradation == null) {
              firstDegradation = r.degradationReason();
            }
          }
          if (r.items().isEmpty()) {
            empty++;
          }
        } catch (RuntimeException e) {
          errors++;
          if (firstError == null) {
            firstError = e.toString();
          }
        }
        latencies[i] = System.nanoTime() - start;
      }
    }
  }
}
