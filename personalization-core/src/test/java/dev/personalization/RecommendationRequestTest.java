package dev.personalization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RecommendationRequestTest {

  private static String field(Supplier<RecommendationRequest> build) {
    return assertThrows(InvalidRequestException.class, build::get).field();
  }

  @Test
  void defaultsFollowTheGuide() {
    RecommendationRequest r = RecommendationRequest.builder("u1", Scenario.HOMEPAGE).build();
    assertEquals(20, r.limit());
    assertEquals(Duration.ofMillis(100), r.deadline());
    assertEquals(List.of(), r.candidateIds());
  }

  @Test
  void everyInvalidFieldIsNamed() {
    assertEquals("userId", field(() -> RecommendationRequest.builder(null, Scenario.HOMEPAGE).build()));
    assertEquals("userId", field(() -> RecommendationRequest.builder("  ", Scenario.HOMEPAGE).build()));
    assertEquals("userId", field(() -> RecommendationRequest.builder("x".repeat(257), Scenario.HOMEPAGE).build()));
    assertEquals("userId", field(() -> RecommendationRequest.builder("a\u0000b", Scenario.HOMEPAGE).build()));
    assertEquals("scenario", field(() -> RecommendationRequest.builder("u", null).build()));
    assertEquals("scenario", field(() -> RecommendationRequest.builder("u", Scenario.of("Home Page")).build()));
    assertEquals("limit", field(() -> RecommendationRequest.builder("u", Scenario.HOMEPAGE).limit(0).build()));
    assertEquals("limit", field(() -> RecommendationRequest.builder("u", Scenario.HOMEPAGE).limit(1001).build()));
    assertEquals("deadline", field(() -> RecommendationRequest.builder("u", Scenario.HOMEPAGE).deadline(Duration.ZERO).build()));
    assertEquals("deadline", field(() -> RecommendationRequest.builder("u", Scenario.HOMEPAGE).deadline(null).build()));
    assertEquals("deadline", field(() -> RecommendationRequest.builder("u", Scenario.HOMEPAGE).deadline(Duration.ofMinutes(1)).build()));
    assertEquals("context.device", field(() -> RecommendationRequest.builder("u", Scenario.HOMEPAGE)
        .context(Collections.singletonMap("device", null)).build()));
    assertEquals("context", field(() -> RecommendationRequest.builder("u", Scenario.HOMEPAGE).context("", "x").build()));
    assertEquals("context.query", field(() -> RecommendationRequest.builder("u", Scenario.HOMEPAGE)
        .context("query", "q".repeat(1025)).build()));
    assertEquals("context.category_id", field(() -> RecommendationRequest.builder("u", Scenario.CATEGORY).build()));
    List<String> withNull = new ArrayList<>();
    withNull.add(null);
    assertEquals("candidateIds", field(() -> RecommendationRequest.builder("u", Scenario.SEARCH).candidates(withNull).build()));
    assertEquals("candidateIds", field(() -> RecommendationRequest.builder("u", Scenario.SEARCH)
        .candidates(Collections.nCopies(10_001, "i")).build()));
    assertEquals("excludedItemIds", field(() -> RecommendationRequest.builder("u", Scenario.HOMEPAGE).exclude(List.of(" ")).build()));
  }

  @Test
  void tooManyContextEntriesAreRejected() {
    RecommendationRequest.Builder b = RecommendationRequest.builder("u", Scenario.HOMEPAGE);
    for (int i = 0; i < 65; i++) {
      b.context("k" + i, "v");
    }
    assertEquals("context", field(b::build));
  }

  @Test
  void idsFullOfMetacharactersAreFine() {
    RecommendationRequest r = RecommendationRequest.builder("u'; DROP TABLE x;--:{}", Scenario.HOMEPAGE).build();
    assertEquals("u'; DROP TABLE x;--:{}", r.userId());
  }
}
