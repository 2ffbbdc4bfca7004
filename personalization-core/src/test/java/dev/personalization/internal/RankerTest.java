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

  @Test
  void matchesAFullSortOnRandomScores() {
    java.util.Random random = new java.util.Random(7);
    for (int round = 0; round < 200; round++) {
      int n = random.nextInt(300);
      List<String> ids = new java.util.ArrayList<>();
      float[] scores = new float[n];
      for (int i = 0; i < n; i++) {
        ids.add("item-" + random.nextInt(1000) + "-" + i);
        scores[i] = random.nextInt(20) / 20f;   // many ties, to exercise the id tie-break
      }
      int limit = 1 + random.nextInt(50);
      List<ScoredItem> expected = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        expected.add(new ScoredItem(ids.get(i), scores[i]));
      }
      expected.sort(java.util.Comparator.comparing(ScoredItem::score).reversed().thenComparing(ScoredItem::itemId));
      assertEquals(expected.subList(0, Math.min(limit, n)), Ranker.topK(ids, scores, limit, null, Set.of()));
    }
  }
}
