package dev.personalization.cache;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Tells a cache fill whether an invalidation touched its key while it was loading, so that a value
 * read before the invalidation is not cached after it.
 *
 * <p>Generations are counted per stripe of keys (4096 stripes) plus one global epoch for "drop
 * everything". A load takes a {@link #stamp} of each key before it reads any tier; when it is about
 * to back-fill, a changed stamp means an invalidation may have raced it. Two keys sharing a stripe
 * can only cause a false alarm (a skipped back-fill, costing a later miss), never a stale entry.
 * Both counters only grow, so their sum changes whenever either does. Memory is fixed: 32 KiB.
 */
final class FillGuard {

  private static final int STRIPES = 1 << 12;

  private final AtomicLongArray stripes = new AtomicLongArray(STRIPES);
  private final AtomicLong epoch = new AtomicLong();

  /** The generation of {@code key} now; take it before reading any tier for the key. */
  long stamp(String key) {
    return stripes.get(stripe(key)) + epoch.get();
  }

  /** Whether {@code key} may have been invalidated since {@code stamp} was taken. */
  boolean changed(String key, long stamp) {
    return stamp(key) != stamp;
  }

  /** Marks {@code key} invalidated: loads that started before may not cache what they read. */
  void bump(String key) {
    stripes.incrementAndGet(stripe(key));
  }

  /** Marks every key invalidated. */
  void bumpAll() {
    epoch.incrementAndGet();
  }

  private static int stripe(String key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }
}
