package dev.personalization.internal;

import dev.personalization.ScoredItem;
import dev.personalization.cache.StableHash;
import dev.personalization.feature.FeatureVector;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Top-K selection with business filters: items the user has recently seen and items the request
 * excludes are skipped. Ties are broken by item id so that equal scores rank the same every time.
 */
public final class Ranker {

  private Ranker() {
  }

  /**
   * @param ids candidate ids
   * @param scores one score per candidate
   * @param limit how many to keep
   * @param recent the user's recent items (references are item-id hashes), or {@code null}
   * @param excluded ids never to return
   */
  public static List<ScoredItem> topK(List<String> ids, float[] scores, int limit, FeatureVector recent, Set<String> excluded) {
    PriorityQueue<ScoredItem> heap = new PriorityQueue<>(limit + 1, Ranker::worseFirst);
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      float score = scores[i];
      if (Float.isNaN(score) || excluded.contains(id)) {
        continue;
      }
      if (recent != null && recent.referenceCount() > 0 && recent.references(StableHash.of(id))) {
        continue;
      }
      ScoredItem item = new ScoredItem(id, score);
      if (heap.size() < limit) {
        heap.add(item);
      } else if (worseFirst(item, heap.peek()) > 0) {
        heap.poll();
        heap.add(item);
      }
    }
    List<ScoredItem> out = new ArrayList<>(heap.size());
    while (!heap.isEmpty()) {
      out.add(heap.poll());
    }
    java.util.Collections.reverse(out);
    return out;
  }

  /** Orders worse items first: lower score, then larger id. */
  private static int worseFirst(ScoredItem a, ScoredItem b) {
    int c = Float.compare(a.score(), b.score());
    return c != 0 ? c : b.itemId().compareTo(a.itemId());
  }
}
