package dev.personalization.bench.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.AtomicHistogram;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Runs {@link StepPlan}s open-loop against a {@link Target}.
 *
 * <p>Each of {@code senders} threads owns every {@code senders}-th slot of the schedule: with fixed
 * arrivals request {@code i} is due at {@code t0 + i / rate}. A sender waits until a request is due,
 * hands it to {@link Target#send} (which never waits for the answer) and moves on; answers are
 * recorded by callbacks on the target's threads. So the offered rate never adapts to the target:
 * when the target stalls, requests keep falling due and their latency — measured from the
 * <em>intended</em> start — shows the stall (the coordinated-omission correction of wrk2, here by
 * construction). Service time (from the actual send) and send lag (actual minus intended send, the
 * generator's own delay) are recorded apart.
 *
 * <p>After the schedule, outstanding requests get {@code drainTimeout} to finish; those that do not
 * count as errors, so {@code scheduled = completed + errors} always holds. Latencies are recorded in
 * HdrHistograms at microsecond resolution (3 significant digits).
 *
 * <p>One step at a time: {@link #run} is not meant to be called concurrently.
 */
public final class OpenLoopRunner implements StepRunner {

  /** Drain timeout when none is set. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);
  /** Latencies above this are recorded as this in timeline windows (their histograms are fixed-size). */
  private static final long WINDOW_MAX_MICROS = 60_000_000L;

  private final Target target;
  private final Workload workload;
  private final int senders;
  private final LoadClock clock;
  private final Duration drainTimeout;
  private final long seed;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private int runs;

  private OpenLoopRunner(Builder b) {
    this.target = b.target;
    this.workload = b.workload;
    this.senders = b.senders;
    this.clock = b.clock;
    this.drainTimeout = b.drainTimeout;
    this.seed = b.seed;
    if (clock.isVirtual() && senders != 1) {
      throw new IllegalStateException("a virtual clock needs exactly one sender, was " + senders);
    }
  }

  /** A runner loading {@code target} with requests from {@code workload}. */
  public static Builder builder(Target target, Workload workload) {
    return new Builder(target, workload);
  }

  /** The target being loaded. */
  public Target target() {
    return target;
  }

  @Override
  public StepResult run(StepPlan plan) throws InterruptedException {
    Objects.requireNonNull(plan, "plan");
    target.settle();
    Run run = new Run(plan, runs++);
    run.execute();
    return run.result();
  }

  private enum Kind { WARMUP, MEASURE, AFTER }

  private record Segment(Kind kind, long start, long end, double rps) {
  }

  /** The state of one step; callbacks of an earlier step see their own (closed) Run. */
  private final class Run {
    final StepPlan plan;
    final int index;
    final long measureStart;
    final long measureNanos;
    final List<Segment> segments = new ArrayList<>(3);
    final ConcurrentHistogram latency = histogram();
    final ConcurrentHistogram service = histogram();
    final ConcurrentHistogram firstThird = histogram();
    final ConcurrentHistogram lastThird = histogram();
    final Histogram[] sendLag;
    final long[] generatorCpu;
    final LongAdder scheduled = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder degraded = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final AtomicLong outstanding = new AtomicLong();
    final AtomicLong activeCallbacks = new AtomicLong();
    final AtomicLong lastCompletion = new AtomicLong(Long.MIN_VALUE);
    volatile boolean open = true;
    final long windowNanos;
    final AtomicHistogram[] windowLatency;
    final LongAdder[] windowDue;
    final LongAdder[] windowRequests;
    final LongAdder[] windowErrors;
    final AtomicReference<Throwable> senderFailure = new AtomicReference<>();
    Map<String, TierCounts> countsBefore = Map.of();
    ResourceProbe.Window resourceWindow;
    ResourceUsage usage = ResourceUsage.UNKNOWN;

    Run(StepPlan plan, int index) {
      this.plan = plan;
      this.index = index;
      // Start a little in the future so that every sender is parked before the first request is due.
      long t0 = clock.nanoTime() + (clock.isVirtual() ? 0 : 20_000_000L);
      long warm = plan.warmup().toNanos();
      measureNanos = plan.duration().toNanos();
      measureStart = t0 + warm;
      if (warm > 0) {
        segments.add(new Segment(Kind.WARMUP, t0, measureStart, plan.rps()));
      }
      segments.add(new Segment(Kind.MEASURE, measureStart, measureStart + measureNanos, plan.rps()));
      long after = plan.after().toNanos();
      if (after > 0) {
        segments.add(new Segment(Kind.AFTER, measureStart + measureNanos, measureStart + measureNanos + after, plan.afterRps()));
      }
      sendLag = new Histogram[senders];
      generatorCpu = new long[senders];
      for (int k = 0; k < senders; k++) {
        sendLag[k] = new Histogram(3);
      }
      windowNanos = plan.window().toNanos();
      int windows = windowNanos == 0 ? 0 : (int) Math.min(100_000, (measureNanos + after + windowNanos - 1) / windowNanos);
      windowLatency = new AtomicHistogram[windows];
      windowDue = new LongAdder[windows];
      windowRequests = new LongAdder[windows];
      windowErrors = new LongAdder[windows];
      for (int w = 0; w < windows; w++) {
        windowLatency[w] = new AtomicHistogram(1, WINDOW_MAX_MICROS, 2);
        windowDue[w] = new LongAdder();
        windowRequests[w] = new LongAdder();
        windowErrors[w] = new LongAdder();
      }
    }

    void execute() throws InterruptedException {
      if (clock.isVirtual()) {
        send(0);
      } else {
        List<Thread> started = new ArrayList<>(senders);
        for (int k = 0; k < senders; k++) {
          int sender = k;
          Thread t = new Thread(() -> {
            try {
              send(sender);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } catch (Throwable e) {
              senderFailure.compareAndSet(null, e);
            }
          }, "load-sender-" + k);
          t.setDaemon(true);
          started.add(t);
        }
        started.forEach(Thread::start);
        try {
          for (Thread t : started) {
            t.join();
          }
        } catch (InterruptedException e) {
          started.forEach(Thread::interrupt);
          throw e;
        }
        if (senderFailure.get() != null) {
          throw new IllegalStateException("a load sender failed", senderFailure.get());
        }
      }
      drain();
      close();
    }

    /** The schedule of sender {@code k}: every {@code senders}-th slot, or its share of a Poisson process. */
    void send(int k) throws InterruptedException {
      RequestSource source = workload.requests(index * senders + k);
      SplittableRandom random = new SplittableRandom(seed * 1_000_003L + index * 1_009L + k);
      for (Segment s : segments) {
        boolean measured = s.kind == Kind.MEASURE;
        if (measured && k == 0) {
          clock.parkUntil(s.start);
          beginMeasurement();
        }
        long cpuBefore = measured ? threadCpu() : 0;
        if (plan.arrivals() == Arrivals.FIXED) {
          double period = 1e9 / s.rps;
          for (long i = k; ; i += senders) {
            long due = s.start + (long) (i * period);
            if (due >= s.end) {
              break;
            }
            fire(due, s, source, k);
          }
        } else {
          double meanGap = 1e9 * senders / s.rps;
          double t = s.start - meanGap * Math.log(1 - random.nextDouble());
          while (t < s.end) {
            fire((long) t, s, source, k);
            t -= meanGap * Math.log(1 - random.nextDouble());
          }
        }
        if (measured) {
          generatorCpu[k] += threadCpu() - cpuBefore;
          if (k == 0) {
            clock.parkUntil(s.end);
            usage = resourceWindow.close();
          }
        }
      }
    }

    void beginMeasurement() {
      countsBefore = target.cacheCounts();
      resourceWindow = target.resources().open();
    }

    void fire(long due, Segment s, RequestSource source, int k) throws InterruptedException {
      // Built before the wait, so that building it is neither send lag nor service time.
      LoadRequest request = source.next();
      clock.parkUntil(due);
      long sent = clock.nanoTime();
      Kind kind = s.kind;
      if (kind == Kind.MEASURE) {
        scheduled.increment();
        if (!clock.isVirtual()) {
          sendLag[k].recordValue(Math.max(0, (sent - due) / 1000));
        }
      }
      if (windowDue.length > 0 && kind != Kind.WARMUP) {
        int w = (int) ((due - measureStart) / windowNanos);
        if (w >= 0 && w < windowDue.length) {
          windowDue[w].increment();
        }
      }
      outstanding.incrementAndGet();
      CompletableFuture<TargetResponse> answer;
      try {
        answer = Objects.requireNonNull(target.send(request), "target returned a null future");
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      answer.whenComplete((response, error) -> done(due, sent, kind, response, error));
    }

    void done(long due, long sent, Kind kind, TargetResponse response, Throwable error) {
      long now = clock.nanoTime();
      activeCallbacks.incrementAndGet();
      try {
        if (!open) {
          return;
        }
        long micros = Math.max(0, (now - due) / 1000);
        if (kind == Kind.MEASURE) {
          if (error != null) {
            failed.increment();
            if (target.isRejection(unwrap(error))) {
              rejected.increment();
            }
          } else {
            completed.increment();
            if (response != null && response.degraded()) {
              degraded.increment();
            }
            latency.recordValue(micros);
            service.recordValue(Math.max(0, (now - sent) / 1000));
            long third = (due - measureStart) * 3 / measureNanos;
            if (third <= 0) {
              firstThird.recordValue(micros);
            } else if (third >= 2) {
              lastThird.recordValue(micros);
            }
            lastCompletion.accumulateAndGet(now, Math::max);
          }
        }
        if (windowLatency.length > 0 && kind != Kind.WARMUP) {
          int w = (int) ((due - measureStart) / windowNanos);
          if (w >= 0 && w < windowLatency.length) {
            windowRequests[w].increment();
            if (error != null) {
              windowErrors[w].increment();
            } else {
              windowLatency[w].recordValue(Math.min(micros, WINDOW_MAX_MICROS));
            }
          }
        }
      } finally {
        activeCallbacks.decrementAndGet();
        outstanding.decrementAndGet();
      }
    }

    void drain() throws InterruptedException {
      long deadline = clock.nanoTime() + drainTimeout.toNanos();
      while (outstanding.get() > 0) {
        long now = clock.nanoTime();
        if (now >= deadline) {
          break;
        }
        clock.parkUntil(Math.min(deadline, now + 1_000_000L));
      }
    }

    void close() {
      open = false;
      // A callback that saw open == true is counted in activeCallbacks until it has recorded.
      while (activeCallbacks.get() != 0) {
        Thread.onSpinWait();
      }
    }

    StepResult result() {
      long scheduledCount = scheduled.sum();
      long completedCount = completed.sum();
      long failedCount = failed.sum();
      long timedOut = Math.max(0, scheduledCount - completedCount - failedCount);
      double measuredSeconds = measureNanos / 1e9;
      long last = lastCompletion.get();
      double span = last == Long.MIN_VALUE ? measuredSeconds : Math.max(measuredSeconds, (last - measureStart) / 1e9);
      Histogram lag = new Histogram(3);
      for (Histogram h : sendLag) {
        lag.add(h);
      }
      long cpu = 0;
      for (long c : generatorCpu) {
        cpu += c;
      }
      double generator = clock.isVirtual() || cpu < 0 ? Double.NaN
          : cpu / (measureNanos * (double) Runtime.getRuntime().availableProcessors());
      Map<String, TierCounts> counts = TierCounts.delta(countsBefore, target.cacheCounts());
      List<TimelineWindow> timeline = new ArrayList<>(windowLatency.length);
      for (int w = 0; w < windowLatency.length; w++) {
        AtomicHistogram h = windowLatency[w];
        boolean any = h.getTotalCount() > 0;
        timeline.add(new TimelineWindow(w * windowNanos / 1_000_000L, windowDue[w].sum(), windowRequests[w].sum(),
            windowErrors[w].sum(), any ? h.getValueAtPercentile(99) / 1000.0 : Double.NaN, any ? h.getMaxValue() / 1000.0 : Double.NaN));
      }
      return new StepResult(plan.label(), plan.rps(), 1, measuredSeconds, scheduledCount, completedCount,
          failedCount + timedOut, rejected.sum(), timedOut, degraded.sum(), completedCount / span,
          LatencySummary.ofMicros(latency), LatencySummary.ofMicros(service), LatencySummary.ofMicros(lag),
          p99(firstThird), p99(lastThird), counts, TierCounts.overallHitRate(counts), usage, generator, timeline,
          Verdict.UNJUDGED);
    }

    long threadCpu() {
      return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
    }
  }

  private static ConcurrentHistogram histogram() {
    return new ConcurrentHistogram(3);
  }

  private static double p99(Histogram h) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1000.0;
  }

  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Configures an {@link OpenLoopRunner}. Not thread-safe. */
  public static final class Builder {
    private final Target target;
    private final Workload workload;
    private int senders = 1;
    private LoadClock clock = LoadClock.system();
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private long seed = 1;

    private Builder(Target target, Workload workload) {
      this.target = Objects.requireNonNull(target, "target");
      this.workload = Objects.requireNonNull(workload, "workload");
    }

    /** Sender threads (default 1). More help when one thread cannot keep up with the schedule. */
    public Builder senders(int senders) {
      if (senders < 1 || senders > 64) {
        throw new IllegalArgumentException("senders must be in [1, 64], was " + senders);
      }
      this.senders = senders;
      return this;
    }

    /** The time source (default {@link LoadClock#system()}). */
    public Builder clock(LoadClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long outstanding requests may take after the schedule ends (default 10 s). */
    public Builder drainTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "drainTimeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout must be >= 0, was " + timeout);
      }
      this.drainTimeout = timeout;
      return this;
    }

    /** Seed of Poisson gaps (default 1). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Builds the runner. */
    public OpenLoopRunner build() {
      return new OpenLoopRunner(this);
    }
  }
}
