package dev.personalization;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The answer to a {@link RecommendationRequest}.
 *
 * @param items ranked best first, at most the request's limit
 * @param modelVersion the version of the model that scored them, or {@code fallback:popularity}
 *     when the answer is the fallback
 * @param degraded whether any stage fell back; the items are then still usable
 * @param degradationReason why, when degraded; {@code null} otherwise
 * @param stageTimings how long each stage took, in pipeline order (stages that never finished are
 *     absent)
 * @param elapsed from admission to answer
 */
public record Recommendations(
    List<ScoredItem> items,
    String modelVersion,
    boolean degraded,
    String degradationReason,
    Map<String, Duration> stageTimings,
    Duration elapsed) {

  public Recommendations {
    items = List.copyOf(items);
    stageTimings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stageTimings));
  }

  /** The degradation reason, if degraded. */
  public Optional<String> reason() {
    return Optional.ofNullable(degradationReason);
  }
}
