package dev.personalization.jdbc;

import dev.personalization.feature.FeatureStore;
import dev.personalization.feature.FeatureStoreContract;

/** The JDBC store on a real PostgreSQL passes the FeatureStore contract. */
class PostgresFeatureStoreIT extends FeatureStoreContract {

  @Override
  protected FeatureStore newStore() {
    return JdbcFeatureStore.builder().primary(SharedPostgres.server().endpoint()).tablePrefix(SharedPostgres.freshPrefix())
        .pool(PoolSettings.custom().fixedSize(4).build()).build();
  }
}
