/**
 * Model predictors backed by an inference runtime. Empty for now: the ONNX Runtime predictor arrives
 * with its own issue; until then the engine scores with the pure-Java predictors of
 * {@code dev.personalization.model}.
 */
package dev.personalization.inference;
