/**
 * Scoring: the {@link dev.personalization.model.Predictor} SPI with pure-Java linear and logistic
 * models, the {@link dev.personalization.model.RowAssembler} SPI that lays out model rows, and the
 * technology-independent mechanisms that wrap any predictor:
 * {@link dev.personalization.model.BatchingPredictor} (coalesces concurrent requests into one model
 * call, with a bounded queue, deadlines and an adaptive row cap),
 * {@link dev.personalization.model.CachingPredictor} (a model-output cache keyed by the exact row
 * bytes and the model version) and {@link dev.personalization.model.SwappablePredictor} (hot swap
 * without dropping requests). A typical stack is {@code CachingPredictor → BatchingPredictor →
 * SwappablePredictor → model}. Everything not public here is an implementation detail.
 */
package dev.personalization.model;
