package dev.personalization.bench.load;

import dev.personalization.PersonalizationEngine;
import dev.personalization.bench.workload.SyntheticWorkload;
import dev.personalization.bench.workload.WorkloadSpec;
import dev.personalization.cache.caffeine.CaffeineTier;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Builds the engine an {@link InProcessTarget} loads. The seam where other configurations plug in:
 * a Redis L2, an ONNX model or a JDBC store is another factory, registered by name in
 * {@link LoadTestCommand} (explicitly, not discovered on the classpath).
 */
@FunctionalInterface
public interface EngineFactory extends AutoCloseable {

  /**
   * Builds an engine for {@code workload}.
   *
   * @param registry where the engine must register its meters: the load tester reads cache
   *     lookups per tier from it
   * @param workload the shop it will serve; its item columns are {@link SyntheticWorkload#ITEM_COLUMNS}
   */
  PersonalizationEngine create(MeterRegistry registry, WorkloadSpec workload);

  /**
   * Stops whatever {@link #create} started besides the engine (a local Redis or PostgreSQL, for
   * example); called after the engine is closed. Does nothing by default.
   */
  @Override
  default void close() {
  }

  /** A one-line description for reports (default: the class name). */
  default String description() {
    return getClass().getSimpleName();
  }

  /**
   * The default configuration: a Caffeine L1 sized for every user's feature groups and every item,
   * the in-memory store, the default logistic model, 200 candidates per request, and the engine's
   * default admission limit (100 in flight) and executor (2 × CPUs).
   */
  static EngineFactory defaults() {
    return new EngineFactory() {
      @Override
      public PersonalizationEngine create(MeterRegistry registry, WorkloadSpec workload) {
        // Three user groups per user plus the items, with room to spare so that the bound never evicts.
        long entries = 2L * (3L * workload.users() + workload.items());
        return PersonalizationEngine.builder()
            .meterRegistry(registry)
            .addCacheTier(CaffeineTier.builder().maximumEntries(entries).build())
            .itemColumns(SyntheticWorkload.ITEM_COLUMNS)
            .maxCandidates(200)
            .build();
      }

      @Override
      public String description() {
        return "caffeine L1 + in-memory store + logistic model, 200 candidates";
      }
    };
  }
}
