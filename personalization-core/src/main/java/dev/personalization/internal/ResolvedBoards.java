package dev.personalization.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Popularity boards' top lists resolved once for all the requests that take a list as it is for
 * their candidates (a homepage or category page without host candidates): each item's cache key
 * and its global popularity, in the list's order.
 *
 * <p>Why: a request otherwise looks up 200 ids in {@link ItemKeys} and 200 more in the global
 * board's scores, and with thousands of items those look-ups are memory misses, not arithmetic.
 * Most requests share a few lists, so resolving each list once saves 400 misses per request.
 *
 * <p>A resolved list is reused while the board hands out the same snapshot (the same list
 * instance) and for at most the board refresh interval, so the popularity it carries is never
 * older than the top list itself may be. With a zero interval nothing is reused.
 */
final class ResolvedBoards {

  /** A board snapshot with its items' cache keys and global popularity, index by index. */
  record Resolved(List<String> ids, List<String> keys, float[] popularity, long resolvedAtNanos) {
  }

  private final ItemKeys itemKeys;
  private final PopularityIndex popularity;
  private final long maxAgeNanos;
  private final ConcurrentHashMap<String, Resolved> byBoard = new ConcurrentHashMap<>();

  ResolvedBoards(ItemKeys itemKeys, PopularityIndex popularity, Duration maxAge) {
    this.itemKeys = itemKeys;
    this.popularity = popularity;
    this.maxAgeNanos = maxAge.toNanos();
  }

  /** The resolution of {@code ids}, the list {@code board} handed out just now. */
  Resolved resolve(String board, List<String> ids) {
    long now = System.nanoTime();
    Resolved held = byBoard.get(board);
    if (held != null && held.ids() == ids && now - held.resolvedAtNanos() < maxAgeNanos) {
      return held;
    }
    List<String> keys = new ArrayList<>(ids.size());
    float[] pop = new float[ids.size()];
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      keys.add(itemKeys.key(id));
      pop[i] = popularity.normalized(PopularityIndex.GLOBAL, id);
    }
    // Two requests may resolve the same snapshot at once; either result is right.
    Resolved fresh = new Resolved(ids, List.copyOf(keys), pop, now);
    byBoard.put(board, fresh);
    return fresh;
  }
}
