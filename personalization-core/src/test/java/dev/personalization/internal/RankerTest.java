package dev.personalization.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.personalization.ScoredItem;
import dev.personalization.cache.StableHash;
import dev.personalization.feature.FeatureVector;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RankerTest {

  @Test
  void keepsTheBestInOrderAndBreaksTiesById() {
    List<ScoredItem> top = Ranker.topK(List.of("a", "b", "c", "d", "e"), new float[] {0.1f, 0.9f, 0.5f, 0.9f, Float.NaN}, 3,
        null, Set.of());
    assertEquals(List.of(new ScoredItem("b", 0.9f), new ScoredItem("d", 0.9f), new ScoredItem("c", 0.5f)), top);
  }

  @Test
  void filtersSeenAndExcludedItems() {
    FeatureVector recent = FeatureVector.of(1, 1, 0, new float[0], new long[] {StableHash.of("b")});
    List<ScoredItem> top = Ranker.topK(List.of("a", "b", "c", "d"), new float[] {0.1f, 0.9f, 0.5f, 0.8f}, 10,
        recent, Set.of("d"));
    assertEquals(List.of(new ScoredItem("c", 0.5f), new ScoredItem("a", 0.1f)), top);
  }
}
