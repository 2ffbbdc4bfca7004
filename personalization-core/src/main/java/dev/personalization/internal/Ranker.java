package dev.personalization.internal;

import dev.personalization.ScoredItem;
import dev.personalization.cache.StableHash;
import dev.personalization.feature.FeatureVector;
import java.util.List;
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
    // A heap of candidate indices, worst at the root: no object per candidate, only per winner.
    int[] heap = new int[Math.min(limit, ids.size())];
    int size = 0;
    boolean filterRecent = recent != null && recent.referenceCount() > 0;
    boolean filterExcluded = !excluded.isEmpty();
    for (int i = 0; i < ids.size(); i++) {
      float score = scores[i];
      if (Float.isNaN(score)) {
        continue;
      }
      if (size == heap.length && !better(ids, scores, i, heap[0])) {
        continue;
      }
      String id = ids.get(i);
      if (filterExcluded && excluded.contains(id)) {
        continue;
      }
      if (filterRecent && recent.references(StableHash.of(id))) {
        continue;
      }
      if (size < heap.length) {
        heap[size] = i;
        siftUp(ids, scores, heap, size++);
      } else {
        heap[0] = i;
        siftDown(ids, scores, heap, size);
      }
    }
    ScoredItem[] out = new ScoredItem[size];
    for (int n = size - 1; n >= 0; n--) {
      int worst = heap[0];
      out[n] = new ScoredItem(ids.get(worst), scores[worst]);
      heap[0] = heap[n];
      siftDown(ids, scores, heap, n);
    }
    return List.of(out);
  }

  /** Whether candidate {@code a} ranks above {@code b}: higher score, then smaller id. */
  private static boolean better(List<String> ids, float[] scores, int a, int b) {
    int c = Float.compare(scores[a], scores[b]);
    return c != 0 ? c > 0 : ids.get(a).compareTo(ids.get(b)) < 0;
  }

  private static void siftUp(List<String> ids, float[] scores, int[] heap, int at) {
    while (at > 0) {
      int parent = (at - 1) >>> 1;
      if (!better(ids, scores, heap[parent], heap[at])) {
        break;
      }
      int t = heap[parent];
      heap[parent] = heap[at];
      heap[at] = t;
      at = parent;
    }
  }

  private static void siftDown(List<String> ids, float[] scores, int[] heap, int size) {
    int at = 0;
    while (true) {
      int left = 2 * at + 1;
      if (left >= size) {
        return;
      }
      int worse = left;
      int right = left + 1;
      if (right < size && better(ids, scores, heap[left], heap[right])) {
        worse = right;
      }
      if (!better(ids, scores, heap[at], heap[worse])) {
        return;
      }
      int t = heap[at];
      heap[at] = heap[worse];
      heap[worse] = t;
      at = worse;
    }
  }
}
