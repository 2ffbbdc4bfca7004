package dev.personalization.model;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Scores rows of features: the model. Implementations must be thread-safe; a predictor that runs on
 * another thread or a batching queue returns an incomplete future, a pure-Java one a completed one.
 */
public interface Predictor extends AutoCloseable {

  /** A version that identifies the model's exact parameters; responses report it. */
  String version();

  /**
   * The input columns, in row order; the engine checks at build time that its
   * {@link RowAssembler} produces exactly these.
   */
  List<String> columns();

  /**
   * Scores each row.
   *
   * @return a future of one score per row, higher is better
   */
  CompletableFuture<float[]> predict(FeatureRows rows);

  /** Releases native resources; the default does nothing. */
  @Override
  default void close() {
  }

  /**
   * A logistic-regression model: {@code sigmoid(bias + Σ weight[i] * x[i])}. Pure Java, scores on
   * the caller's thread.
   *
   * @param columns the input column names
   * @param weights one weight per column, finite
   * @param bias the intercept, finite
   */
  static Predictor logistic(List<String> columns, float[] weights, float bias) {
    return new LinearPredictor(columns, weights, bias, true);
  }

  /** A linear model: {@code bias + Σ weight[i] * x[i]}, like {@link #logistic} without the sigmoid. */
  static Predictor linear(List<String> columns, float[] weights, float bias) {
    return new LinearPredictor(columns, weights, bias, false);
  }
}
