package dev.personalization.jdbc;

import org.junit.jupiter.api.Test;

/** Several engines, each on its own store instance and pools, ingest for the same users on PostgreSQL. */
class PostgresConcurrentIngestIT {

  @Test
  void concurrentEnginesLoseNoUpdate() throws Exception {
    String prefix = SharedPostgres.freshPrefix();
    IngestScenarios.concurrentEnginesLoseNoUpdate(() -> JdbcFeatureStore.builder().primary(SharedPostgres.server().endpoint())
        .tablePrefix(prefix).partitionMonthsAhead(0).pool(PoolSettings.custom().fixedSize(4).build()).build(), 3, 3, 15);
  }
}
