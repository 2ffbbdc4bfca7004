package dev.personalization.candidate;

import dev.personalization.RecommendationRequest;
import java.util.List;

/**
 * Proposes items worth scoring for a request. The engine merges the host's candidate ids and every
 * source's proposals in order, de-duplicates them and caps the total (200 by default).
 *
 * <p>Called on the engine's executor, concurrently with the user-feature lookup; may block briefly,
 * must be thread-safe. A source that throws degrades the request to the fallback.
 */
@FunctionalInterface
public interface CandidateSource {

  /**
   * @param request the request being served
   * @param max the most ids worth returning
   * @return item ids, best first; may be empty
   */
  List<String> candidates(RecommendationRequest request, int max);
}
