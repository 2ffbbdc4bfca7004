package dev.personalization.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * When a step passes. The defaults are the performance guide's floors. A step passes only if all
 * hold:
 *
 * <ul>
 *   <li>achieved rate ≥ {@code minAchieved} × target (99%);
 *   <li>errors ≤ {@code maxErrorRate} of the scheduled requests (0.1%);
 *   <li>P99 latency ≤ {@code slo} (100 ms);
 *   <li>the backlog is not growing: the last third's P99 ≤ {@code maxBacklogGrowth} × the first
 *       third's (1.5) — unless the last third's P99 is below {@code backlogFloor} (default a tenth
 *       of the SLO), where a difference is scheduling noise, not a queue that grows without bound;
 *   <li>CPU ≤ {@code maxCpu} (70%) and heap ≤ {@code maxHeap} (80%) — the lowest occupancy after a
 *       collection, see {@link ResourceUsage#heap()} — when measured;
 *   <li>cache hit rate ≥ {@code minHitRate} (80%), when measured.
 * </ul>
 *
 * <p>A step whose send lag P99 exceeds {@code maxSendLag} (1 ms) is {@link Verdict.Status#INVALID}
 * instead: the load generator fell behind and the step says nothing about the target. Immutable.
 */
public record PassCriteria(
    Duration slo, double minAchieved, double maxErrorRate, double maxBacklogGrowth, Duration backlogFloor,
    double maxCpu, double maxHeap, double minHitRate, Duration maxSendLag) {

  /** The guide's P99 budget. */
  public static final Duration DEFAULT_SLO = Duration.ofMillis(100);

  public PassCriteria {
    Objects.requireNonNull(slo, "slo");
    Objects.requireNonNull(backlogFloor, "backlogFloor");
    Objects.requireNonNull(maxSendLag, "maxSendLag");
    if (slo.isNegative() || slo.isZero()) {
      throw new IllegalArgumentException("slo must be positive, was " + slo);
    }
  }

  /** The guide's floors with a 100 ms SLO. */
  public static PassCriteria ofDefaults() {
    return withSlo(DEFAULT_SLO);
  }

  /** The guide's floors with another SLO; the backlog floor follows it (a tenth). */
  public static PassCriteria withSlo(Duration slo) {
    return new PassCriteria(slo, 0.99, 0.001, 1.5, slo.dividedBy(10), 0.70, 0.80, 0.80, Duration.ofMillis(1));
  }

  /** Judges a step. Send lag is not judged when it was not measured (virtual time). */
  public Verdict judge(StepResult r) {
    double lagLimit = millis(maxSendLag);
    if (r.sendLag().count() > 0 && r.sendLag().p99() > lagLimit) {
      return new Verdict(Verdict.Status.INVALID, List.of(String.format(Locale.ROOT,
          "load generator fell behind: send lag P99 %.3f ms > %.3f ms", r.sendLag().p99(), lagLimit)));
    }
    List<String> reasons = new ArrayList<>();
    if (r.achievedRps() < minAchieved * r.targetRps()) {
      reasons.add(String.format(Locale.ROOT, "achieved %.1f rps < %.0f%% of %.1f", r.achievedRps(), minAchieved * 100,
          r.targetRps()));
    }
    if (r.errorRate() > maxErrorRate) {
      reasons.add(String.format(Locale.ROOT, "errors %.3f%% > %.3f%% (%d of %d scheduled)", r.errorRate() * 100,
          maxErrorRate * 100, r.errors(), r.scheduled()));
    }
    double sloMs = millis(slo);
    if (r.latency().count() == 0) {
      reasons.add("no answers");
    } else if (r.latency().p99() > sloMs) {
      reasons.add(String.format(Locale.ROOT, "P99 %.2f ms > SLO %.0f ms", r.latency().p99(), sloMs));
    }
    if (r.lastThirdP99() > maxBacklogGrowth * r.firstThirdP99() && r.lastThirdP99() > millis(backlogFloor)) {
      reasons.add(String.format(Locale.ROOT, "backlog growing: last third P99 %.2f ms > %.1f x first third %.2f ms",
          r.lastThirdP99(), maxBacklogGrowth, r.firstThirdP99()));
    }
    if (r.resources().cpu() > maxCpu) {
      reasons.add(String.format(Locale.ROOT, "CPU %.1f%% > %.0f%%", r.resources().cpu() * 100, maxCpu * 100));
    }
    if (r.resources().heap() > maxHeap) {
      reasons.add(String.format(Locale.ROOT, "heap %.1f%% > %.0f%%", r.resources().heap() * 100, maxHeap * 100));
    }
    if (r.hitRate() < minHitRate) {
      reasons.add(String.format(Locale.ROOT, "hit rate %.1f%% < %.0f%%", r.hitRate() * 100, minHitRate * 100));
    }
    return reasons.isEmpty() ? new Verdict(Verdict.Status.PASS, List.of()) : new Verdict(Verdict.Status.FAIL, reasons);
  }

  static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }
}
