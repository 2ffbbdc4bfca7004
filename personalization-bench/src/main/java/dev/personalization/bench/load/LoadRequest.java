package dev.personalization.bench.load;

import dev.personalization.RecommendationRequest;
import dev.personalization.Scenario;
import java.util.List;
import java.util.Objects;

/**
 * One request of the load, independent of how a {@link Target} delivers it. Immutable.
 *
 * @param userId who asks
 * @param scenario where the items are shown
 * @param limit items wanted
 * @param device the device context attribute, or {@code null}
 * @param categoryId the category of a category page, or {@code null}
 * @param query the search query, or {@code null}
 * @param candidates host candidates (search results to re-rank); may be empty, never {@code null}
 */
public record LoadRequest(
    String userId, Scenario scenario, int limit, String device, String categoryId, String query, List<String> candidates) {

  public LoadRequest {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(scenario, "scenario");
    candidates = List.copyOf(candidates);
  }

  /** The engine request this describes, with the engine's default deadline. */
  public RecommendationRequest toEngineRequest() {
    RecommendationRequest.Builder b = RecommendationRequest.builder(userId, scenario).limit(limit);
    if (device != null) {
      b.context(RecommendationRequest.DEVICE, device);
    }
    if (categoryId != null) {
      b.context(RecommendationRequest.CATEGORY_ID, categoryId);
    }
    if (query != null) {
      b.context(RecommendationRequest.QUERY, query);
    }
    if (!candidates.isEmpty()) {
      b.candidates(candidates);
    }
    return b.build();
  }
}
