package dev.personalization.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The engine's own meters. Names and tags are documented in the README; meters are created once
 * and cached so that recording costs no registry lookup.
 */
public final class EngineMetrics {

  /** Outcomes of a recommend call. */
  public enum Outcome {
    OK, DEGRADED, REJECTED, INVALID, ERROR;

    final String tag = name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The pipeline's stages, in order. */
  public enum Stage {
    USER_FEATURES, CONTEXT, CANDIDATES, ITEM_FEATURES, SCORING, RANKING;

    public final String tag = name().toLowerCase(java.util.Locale.ROOT);
  }

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Timer> requestTimers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final Timer[] stageTimers = new Timer[Stage.values().length];
  private final Counter ingestApplied;
  private final Counter ingestDuplicate;
  private final Counter ingestRejected;

  public EngineMetrics(MeterRegistry registry, Supplier<Number> inFlight) {
    this.registry = registry;
    for (Stage s : Stage.values()) {
      stageTimers[s.ordinal()] = Timer.builder("personalization.stage")
          .description("Time spent in one stage of the recommend pipeline")
          .tag("stage", s.tag)
          .publishPercentiles(0.5, 0.95, 0.99)
          .register(registry);
    }
    Gauge.builder("personalization.inflight", inFlight)
        .description("Recommend calls admitted and not yet answered")
        .register(registry);
    ingestApplied = ingestCounter("applied");
    ingestDuplicate = ingestCounter("duplicate");
    ingestRejected = ingestCounter("rejected");
  }

  private Counter ingestCounter(String outcome) {
    return Counter.builder("personalization.ingest.events")
        .description("Ingested events by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  /** Records a finished recommend call. */
  public void request(String scenario, Outcome outcome, long nanos) {
    if (nanos >= 0) {
      requestTimers.computeIfAbsent(scenario, s -> Timer.builder("personalization.recommend")
          .description("Recommend latency from admission to answer")
          .tag("scenario", s)
          .publishPercentiles(0.5, 0.95, 0.99)
          .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }
    outcomes.computeIfAbsent(scenario + '\0' + outcome.tag, k -> Counter.builder("personalization.requests")
        .description("Recommend calls by scenario and outcome")
        .tags("scenario", scenario, "outcome", outcome.tag)
        .register(registry)).increment();
  }

  /** Records a stage's duration. */
  public void stage(Stage stage, long nanos) {
    stageTimers[stage.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Records the outcome of an ingest batch. */
  public void ingest(int applied, int duplicates, int rejected) {
    ingestApplied.increment(applied);
    ingestDuplicate.increment(duplicates);
    ingestRejected.increment(rejected);
  }
}
