package dev.personalization.bench.load;

import java.util.List;
import java.util.Map;

/** Synthetic {@link StepResult}s for rule tests: a healthy step, changed one figure at a time. */
final class Results {

  private Results() {
  }

  static LatencySummary latency(double p50, double p99) {
    return new LatencySummary(1000, p50, p50, (p50 + p99) / 2, p99, p99 * 1.2, p99 * 1.5);
  }

  /** 1000 rps for 10 s, all answered, P99 5 ms, 95% hits, 30% CPU, 20% heap, send lag P99 0.1 ms. */
  static StepResult healthy() {
    return new StepResult("step", 1000, 1, 10, 10_000, 10_000, 0, 0, 0, 0, 1000, latency(1, 5), latency(0.8, 4),
        latency(0.05, 0.1), 5, 5, Map.of("l1", new TierCounts(95, 5)), 0.95,
        new ResourceUsage(0.3, 6, 0.2, 1L << 30, 2L << 30, 5L << 30), 0.02, List.of(), Verdict.UNJUDGED);
  }

  static StepResult with(StepResult r, double achieved, long errors, double p99, double firstThird, double lastThird,
      double cpu, double heap, double hitRate, double lagP99) {
    return new StepResult(r.label(), r.targetRps(), r.attempt(), r.durationSeconds(), r.scheduled(),
        r.scheduled() - errors, errors, 0, 0, 0, achieved, latency(r.latency().p50(), p99), r.serviceTime(),
        latency(lagP99 / 2, lagP99), firstThird, lastThird, r.cacheCounts(), hitRate,
        new ResourceUsage(cpu, 6, heap, 1L << 30, 2L << 30, 5L << 30), r.generatorCpu(), r.timeline(), Verdict.UNJUDGED);
  }
}
