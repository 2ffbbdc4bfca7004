package dev.personalization.feature;

/** The reference store passes the SPI contract. */
class InMemoryFeatureStoreTest extends FeatureStoreContract {

  @Override
  protected FeatureStore newStore() {
    return FeatureStore.inMemory();
  }
}
