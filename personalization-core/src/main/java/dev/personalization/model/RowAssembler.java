package dev.personalization.model;

import dev.personalization.RecommendationRequest;
import dev.personalization.feature.FeatureVector;
import java.time.Duration;
import java.util.List;

/**
 * Turns a user, a request's context and its candidates into model rows: one row per candidate,
 * {@link #columns()} floats each, written row-major into a reused buffer. Implementations must be
 * thread-safe and must not allocate per row on the hot path.
 */
public interface RowAssembler {

  /** The columns of a row, in order; must equal the {@link Predictor}'s. */
  List<String> columns();

  /**
   * The request's real-time context features (device, time of day, query, ...), computed for each
   * request and never cached. The default has none.
   */
  default FeatureVector contextFeatures(RecommendationRequest request, long nowMillis) {
    return FeatureVector.of(0, 0, nowMillis);
  }

  /**
   * Writes {@code context.candidateCount()} rows into {@code rows}, starting at index 0.
   *
   * @param rows a buffer of at least {@code candidateCount() * columns().size()} floats; its
   *     previous contents are garbage and every value must be written
   */
  void assemble(RowContext context, float[] rows);

  /**
   * The engine's default layout, reading the built-in feature groups: log-scaled decayed counters
   * per event type and half-life, the user's affinity to the item's category, the item's
   * popularity, the item's own features, and context (device one-hot, time of day, query presence).
   *
   * @param eventTypes the counted event types, in the counters' column order
   * @param counterHalfLives the counters' half-lives, in column order
   * @param affinityBuckets the width of the category-affinity group
   * @param affinityHalfLife the half-life of the category affinities
   * @param itemColumns the names of the item features
   */
  static RowAssembler standard(List<String> eventTypes, List<Duration> counterHalfLives, int affinityBuckets,
      Duration affinityHalfLife, List<String> itemColumns) {
    return new StandardRowAssembler(eventTypes, counterHalfLives, affinityBuckets, affinityHalfLife, itemColumns);
  }

  /**
   * Weights for a logistic model over {@link #standard} columns that favour the user's preferred
   * categories and popular items: a sensible model before one has been trained.
   */
  static float[] standardStarterWeights(List<String> columns) {
    return StandardRowAssembler.starterWeights(columns);
  }
}
