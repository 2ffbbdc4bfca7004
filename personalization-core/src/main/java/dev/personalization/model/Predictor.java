package dev.personalization.model;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
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

  /**
   * Scores each row within a time budget and reports which model version scored them. A predictor
   * that queues ({@link BatchingPredictor}) drops a request whose budget runs out before the model
   * would start on it, failing it with {@link PredictionTimeoutException}; one that swaps models
   * ({@link SwappablePredictor}) reports the version that actually scored. The engine calls this
   * method with what is left of the request's deadline.
   *
   * <p>The default ignores the budget and pairs {@link #predict} with {@link #version()}.
   *
   * @param rows the rows, as for {@link #predict}
   * @param timeout how long the caller will wait for the scores; not negative
   * @return a future of one score per row and the version of the model that produced them
   */
  default CompletableFuture<Prediction> predictWithin(FeatureRows rows, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    String v = version();
    return predict(rows).thenApply(scores -> new Prediction(scores, v));
  }

  /**
   * Whether a row's score may depend on the other rows scored in the same call, as with dynamically
   * quantized models whose scale is computed over the whole batch. A score cache must not store
   * such scores ({@link CachingPredictor} bypasses itself). The default is {@code false}.
   */
  default boolean scoresDependOnBatch() {
    return false;
  }

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
