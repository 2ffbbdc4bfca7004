package dev.personalization.model;

import dev.personalization.RecommendationRequest;
import dev.personalization.feature.FeatureVector;

/**
 * Everything a {@link RowAssembler} may read for one request: the user's feature groups, the
 * request's context features and, per candidate, its item features and popularity. Valid only
 * during {@link RowAssembler#assemble}; not thread-safe.
 */
public interface RowContext {

  /** The request being scored. */
  RecommendationRequest request();

  /** The request's time, epoch milliseconds; decayed features are read as of it. */
  long nowMillis();

  /** The user's vector of {@code group}, or {@code null} when the user has none. */
  FeatureVector userFeatures(String group);

  /** The request's real-time context features, from {@link RowAssembler#contextFeatures}. */
  FeatureVector contextFeatures();

  /** Number of candidates, one row each. */
  int candidateCount();

  /** The id of candidate {@code i}. */
  String candidateId(int i);

  /** The item features of candidate {@code i}, or {@code null} for an item not in the catalog. */
  FeatureVector itemFeatures(int i);

  /** The candidate's overall time-decayed popularity, normalised to {@code [0, 1]}. */
  float popularity(int i);
}
