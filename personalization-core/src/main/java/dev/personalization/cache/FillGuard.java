package dev.personalization.cache;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Tells a cache fill whether an invalidation of one of its keys may have overlapped its load, so
 * that a value read before the invalidation took effect is not cached after it.
 *
 * <p>An invalidation {@link #begin}s before it drops anything and {@link #end}s once its drops are
 * done; ending takes the next number of one sequence and records it for the key's stripe (4096
 * stripes), or for all keys. A load remembers the sequence number when it starts ({@link #start()}),
 * before it reads any tier: one long for the whole batch. An invalidation that ended at or before
 * that number finished dropping before the load read anything, so it cannot have been raced. Any
 * other (still active, or ended later) may have been: {@link #changedSince} says so. Two keys
 * sharing a stripe can only cause a false alarm (a skipped back-fill, costing a later miss), never a
 * stale entry. Memory is fixed: 48 KiB.
 */
final class FillGuard {

  private static final int STRIPES = 1 << 12;

  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLongArray ended = new AtomicLongArray(STRIPES);
  private final AtomicIntegerArray active = new AtomicIntegerArray(STRIPES);
  /** The number of single-key invalidations begun and not ended, over all stripes. */
  private final AtomicInteger activeKeys = new AtomicInteger();
  private final AtomicLong endedAll = new AtomicLong();
  private final AtomicInteger activeAll = new AtomicInteger();

  /** The number of a load starting now; take it before reading any tier. */
  long start() {
    return sequence.get();
  }

  /** Whether an invalidation of {@code key} may have overlapped a load that started at {@code start}. */
  boolean changedSince(String key, long start) {
    // Nothing active and nothing ended since the load started: no invalidation can have raced it.
    // Two reads of shared counters instead of a key hash and reads of the key's stripe, which for
    // a 200-key fill checked three times over are 600 scattered memory reads.
    if (activeKeys.get() == 0 && sequence.get() == start && activeAll.get() == 0) {
      return false;
    }
    int i = stripe(key);
    return active.get(i) > 0 || ended.get(i) > start || activeAll.get() > 0 || endedAll.get() > start;
  }

  /** An invalidation of {@code key} begins; call before dropping anything. */
  void begin(String key) {
    // Counted in total before the stripe, and uncounted after it (end): whenever a stripe is
    // active, the total says so.
    activeKeys.incrementAndGet();
    active.incrementAndGet(stripe(key));
  }

  /** The invalidation of {@code key} that {@link #begin} announced has dropped what it drops. */
  void end(String key) {
    int i = stripe(key);
    long n = sequence.incrementAndGet();
    // Recorded before it stops counting as active, so that no check sees neither.
    ended.accumulateAndGet(i, n, Math::max);
    active.decrementAndGet(i);
    activeKeys.decrementAndGet();
  }

  /** An invalidation of every key begins. */
  void beginAll() {
    activeAll.incrementAndGet();
  }

  /** The invalidation of every key has dropped everything. */
  void endAll() {
    long n = sequence.incrementAndGet();
    endedAll.accumulateAndGet(n, Math::max);
    activeAll.decrementAndGet();
  }

  private static int stripe(String key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }
}
