/**
 * ONNX Runtime inference: {@link dev.personalization.inference.OnnxPredictor} runs an ONNX model in
 * process behind the core {@link dev.personalization.model.Predictor} SPI (loading from a path, the
 * classpath or bytes; validation of inputs and outputs against the feature columns; model version =
 * SHA-256 of the bytes; detection of batch-dependent INT8 models), and
 * {@link dev.personalization.inference.StandardRankingModel} generates, reproducibly, the ranking
 * model the project ships in FP32, static INT8 (QDQ) and dynamic INT8 form. Batching, the
 * model-output cache and hot swap are core mechanisms ({@code dev.personalization.model}) that wrap
 * an {@code OnnxPredictor} like any other predictor. Types not public here are implementation
 * details.
 */
package dev.personalization.inference;
