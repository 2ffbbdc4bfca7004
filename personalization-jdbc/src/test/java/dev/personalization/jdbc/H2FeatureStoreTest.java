package dev.personalization.jdbc;

import dev.personalization.feature.FeatureStore;
import dev.personalization.feature.FeatureStoreContract;

/** The JDBC store on embedded H2 passes the FeatureStore contract. */
class H2FeatureStoreTest extends FeatureStoreContract {

  @Override
  protected FeatureStore newStore() {
    return JdbcFeatureStore.embeddedH2();
  }
}
