package dev.personalization.bench.load;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@link StepPlan} measured, and how it was judged. Latencies are milliseconds from each
 * request's <em>intended</em> start; fractions are {@code 0 … 1}; NaN means "not measured" (for
 * example CPU of a remote target). Counts satisfy {@code scheduled = completed + errors} and
 * {@code errors >= rejected + timedOut}.
 *
 * @param label what the step was for ({@code step}, {@code bisect}, {@code stress}, {@code recovery})
 * @param targetRps the offered rate
 * @param attempt 1 for the first run of this rate, more for reruns of an invalid step
 * @param durationSeconds the measured segment
 * @param scheduled requests due in the measured segment
 * @param completed of those, answered (including degraded answers)
 * @param errors of those, failed, rejected or not answered before the drain timeout
 * @param rejected errors that were load shedding ({@link Target#isRejection})
 * @param timedOut errors that were still unanswered when the drain timed out
 * @param degraded answers that were fallbacks
 * @param achievedRps answers per second over the measured segment (extended to the last answer)
 * @param latency latency from intended start to answer
 * @param serviceTime latency from actual send to answer
 * @param sendLag actual send minus intended send: the load generator's own delay
 * @param firstThirdP99 P99 latency of the requests due in the first third of the segment
 * @param lastThirdP99 P99 latency of the requests due in the last third
 * @param cacheCounts lookups per tier (and {@code tier/freshness}) during the segment
 * @param hitRate share of cacheable lookups answered by a cache tier, not the loader
 * @param resources CPU and heap of the target
 * @param generatorCpu CPU of the sender threads over wall time times cores (includes whatever the
 *     target does synchronously on the caller's thread)
 * @param timeline per-window figures, when the plan asked for them
 * @param verdict how the step was judged
 */
public record StepResult(
    String label, double targetRps, int attempt, double durationSeconds,
    long scheduled, long completed, long errors, long rejected, long timedOut, long degraded,
    double achievedRps, LatencySummary latency, LatencySummary serviceTime, LatencySummary sendLag,
    double firstThirdP99, double lastThirdP99,
    Map<String, TierCounts> cacheCounts, double hitRate,
    ResourceUsage resources, double generatorCpu,
    List<TimelineWindow> timeline, Verdict verdict) {

  public StepResult {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(serviceTime, "serviceTime");
    Objects.requireNonNull(sendLag, "sendLag");
    cacheCounts = Map.copyOf(cacheCounts);
    Objects.requireNonNull(resources, "resources");
    timeline = List.copyOf(timeline);
    Objects.requireNonNull(verdict, "verdict");
  }

  /** {@code errors / scheduled}; 0 when nothing was scheduled. */
  public double errorRate() {
    return scheduled == 0 ? 0 : (double) errors / scheduled;
  }

  /** {@code degraded / completed}; 0 without answers. */
  public double degradedRate() {
    return completed == 0 ? 0 : (double) degraded / completed;
  }

  /** Process CPU seconds per answered request; NaN when CPU is not measured. */
  public double cpuSecondsPerRequest() {
    return completed == 0 ? Double.NaN : resources.cpuSeconds() / completed;
  }

  /** This result with another verdict. */
  public StepResult withVerdict(Verdict newVerdict) {
    return new StepResult(label, targetRps, attempt, durationSeconds, scheduled, completed, errors, rejected, timedOut,
        degraded, achievedRps, latency, serviceTime, sendLag, firstThirdP99, lastThirdP99, cacheCounts, hitRate,
        resources, generatorCpu, timeline, newVerdict);
  }

  /** This result with another label and attempt number. */
  public StepResult relabelled(String newLabel, int newAttempt) {
    return new StepResult(newLabel, targetRps, newAttempt, durationSeconds, scheduled, completed, errors, rejected,
        timedOut, degraded, achievedRps, latency, serviceTime, sendLag, firstThirdP99, lastThirdP99, cacheCounts,
        hitRate, resources, generatorCpu, timeline, verdict);
  }
}
