/**
 * Features: schemas and immutable vectors, the {@link dev.personalization.feature.FeatureStore} SPI
 * with an in-memory reference store, and incremental
 * {@link dev.personalization.feature.FeatureUpdater}s with time decay.
 */
package dev.personalization.feature;
