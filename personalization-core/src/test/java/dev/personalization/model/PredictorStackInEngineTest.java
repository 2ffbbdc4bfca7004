package dev.personalization.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.personalization.Event;
import dev.personalization.Item;
import dev.personalization.PersonalizationEngine;
import dev.personalization.RecommendationRequest;
import dev.personalization.Recommendations;
import dev.personalization.Scenario;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wrappers compose and serve through the engine, which reports the version that scored. */
class PredictorStackInEngineTest {

  @Test
  void theEngineServesThroughCacheBatcherAndSwapAndReportsTheScoringVersion() {
    List<String> columns = PersonalizationEngine.builder().itemColumns(List.of("quality")).build().columns();
    Predictor v1 = Predictor.logistic(columns, RowAssembler.standardStarterWeights(columns), -3f);
    Predictor v2 = Predictor.logistic(columns, RowAssembler.standardStarterWeights(columns), -2f);
    SwappablePredictor swappable = SwappablePredictor.of(v1);
    Predictor stack = CachingPredictor.builder(BatchingPredictor.builder(swappable).build()).build();
    try (PersonalizationEngine engine = PersonalizationEngine.builder().itemColumns(List.of("quality"))
        .predictor(stack).popularityRefresh(Duration.ZERO).build()) {
      List<Item> items = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        items.add(new Item("item-" + i, "cat-" + i % 3, new float[] {i / 30f}));
      }
      engine.upsertItems(items);
      engine.ingest(List.of(Event.of("e1", "u1", "item-3", "click", Instant.now())));
      RecommendationRequest request = RecommendationRequest.builder("u1", Scenario.HOMEPAGE).limit(5)
          .deadline(Duration.ofSeconds(10)).build();
      Recommendations first = engine.recommendNow(request);
      assertFalse(first.degraded(), String.valueOf(first.degradationReason()));
      assertEquals(v1.version(), first.modelVersion());
      swappable.swap(v2);
      Recommendations second = engine.recommendNow(request);
      assertFalse(second.degraded(), String.valueOf(second.degradationReason()));
      assertEquals(v2.version(), second.modelVersion());
    }
  }
}
