package dev.personalization.bench.load;

import dev.personalization.PersonalizationEngine;
import dev.personalization.bench.workload.SyntheticWorkload;
import dev.personalization.bench.workload.WorkloadSpec;
import dev.personalization.cache.caffeine.CaffeineTier;
import dev.personalization.cache.redis.RedisCacheTier;
import dev.personalization.cache.redis.RedisTier;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.inference.OnnxPredictor;
import dev.personalization.inference.StandardRankingModel;
import dev.personalization.jdbc.JdbcFeatureStore;
import dev.personalization.jdbc.PoolSettings;
import dev.personalization.jdbc.PostgresServer;
import dev.personalization.model.BatchingPredictor;
import dev.personalization.model.CachingPredictor;
import dev.personalization.model.Predictor;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;

/**
 * The whole pipeline in one process, as a production host would assemble it: Caffeine L1 sized for
 * every user and item, a Redis L2 (a local {@code redis-server} from Maven Central, with the
 * cross-instance invalidation bus), the shipped ONNX MLP, and the JDBC store on a local PostgreSQL
 * 17 (Maven Central binaries) behind the caches. Seed events are ingested durably into PostgreSQL.
 *
 * <p>The model is called directly by default. With {@code modelCache}, it sits behind the
 * model-output cache and the cross-request batcher, as in the quickstart; for this small MLP on 2
 * cores that costs more CPU than it saves (a cached 200-row lookup is memory-bound, the model call
 * is about 28 µs), which the two configurations side by side show.
 *
 * <p>Both servers run on the same machine as the engine and the load generator, so they take their
 * share of its cores: the figures are for everything on one box.
 */
final class FullPipelineFactory implements EngineFactory {

  private final boolean modelCache;
  private LocalRedisServer redis;
  private PostgresServer postgres;

  FullPipelineFactory(boolean modelCache) {
    this.modelCache = modelCache;
  }

  @Override
  public synchronized PersonalizationEngine create(MeterRegistry registry, WorkloadSpec workload) {
    if (redis != null) {
      throw new IllegalStateException("this factory already built an engine; use a new one");
    }
    redis = LocalRedisServer.start();
    postgres = PostgresServer.startPrimary("load-full", Map.of());
    long l1Entries = 2L * (3L * workload.users() + workload.items());
    RedisCacheTier l2 = RedisTier.builder().uri(redis.uri()).namespace("load").meterRegistry(registry).build();
    JdbcFeatureStore store = JdbcFeatureStore.builder()
        .primary(postgres.endpoint())
        .pool(PoolSettings.forDatabaseCores(Runtime.getRuntime().availableProcessors()))
        .meterRegistry(registry)
        .build();
    Predictor onnx = OnnxPredictor.standardRankingModel(StandardRankingModel.standardColumns(SyntheticWorkload.ITEM_COLUMNS));
    Predictor model = !modelCache ? onnx : CachingPredictor.builder(
        BatchingPredictor.builder(onnx).meterRegistry(registry).build()).meterRegistry(registry).build();
    return PersonalizationEngine.builder()
        .meterRegistry(registry)
        .addCacheTier(CaffeineTier.builder().maximumEntries(l1Entries).build())
        .addCacheTier(l2)
        .invalidationBus(l2.invalidationBus())
        .featureStore(store)
        .predictor(model)
        .itemColumns(SyntheticWorkload.ITEM_COLUMNS)
        .maxCandidates(200)
        .build();
  }

  @Override
  public synchronized void close() {
    if (redis != null) {
      redis.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Override
  public String description() {
    return "caffeine L1 + redis L2 + ONNX MLP" + (modelCache ? " (model-output cache, batching)" : "")
        + " + JDBC store on PostgreSQL, 200 candidates";
  }
}
