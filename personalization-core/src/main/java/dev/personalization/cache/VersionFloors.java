package dev.personalization.cache;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The newest value version this instance has learnt of per key, from its own write-through and from
 * other instances' invalidations, kept for a while so that no older value from a lower tier or a
 * racing load is served or cached after it.
 *
 * <p>A floor is only needed while something older may still be in flight: a load that started
 * before the write, or a lower tier whose write has not landed yet. Floors therefore expire after a
 * retention period and the map is bounded; when more keys than the bound are written within one
 * retention period, the oldest-looking floors are dropped early (the guarantee then rests on the
 * tiers' own version rule alone for those keys). Reads only look the map up when it is non-empty,
 * and drop the expired floors they find.
 * Thread-safe.
 */
final class VersionFloors {

  /** No floor: every version is acceptable. */
  static final long NONE = -1;

  private final ConcurrentHashMap<String, Floor> floors = new ConcurrentHashMap<>();
  private final long retentionNanos;
  private final int maxKeys;
  private final AtomicLong lastSweepNanos = new AtomicLong(System.nanoTime());

  VersionFloors(Duration retention, int maxKeys) {
    this.retentionNanos = retention.toNanos();
    this.maxKeys = maxKeys;
  }

  private record Floor(long version, long setAtNanos) {
  }

  /** Records that {@code version} of {@code key} exists. */
  void raise(String key, long version) {
    long now = System.nanoTime();
    Floor fresh = new Floor(version, now);
    floors.merge(key, fresh, (held, incoming) ->
        held.version > incoming.version && !expired(held, now) ? held : incoming);
    // A sweep scans the whole map, so it runs once per quarter retention (expired floors then live
    // at most 1.25 retentions) or when the map is over its bound; never once per N raises, which
    // under a steady write rate made every raise pay a share of a full scan.
    long last = lastSweepNanos.get();
    if ((now - last > retentionNanos / 4 && lastSweepNanos.compareAndSet(last, now)) || floors.size() > maxKeys) {
      sweep(now);
    }
  }

  /** The newest version known for {@code key}, or {@link #NONE}. */
  long floor(String key) {
    if (floors.isEmpty()) {
      return NONE;
    }
    Floor f = floors.get(key);
    if (f == null) {
      return NONE;
    }
    if (expired(f, System.nanoTime())) {
      // Dropped on read too, not only by the sweep that raises trigger: an instance that stopped
      // writing would otherwise keep every expired floor, and every read would keep looking them
      // up (twice per key on a miss) instead of taking the empty-map shortcut. Conditional, so a
      // floor raised meanwhile stays.
      floors.remove(key, f);
      return NONE;
    }
    return f.version;
  }

  /** Whether {@code version} of {@code key} is older than one this instance already knows of. */
  boolean isStale(String key, long version) {
    return version < floor(key);
  }

  int size() {
    return floors.size();
  }

  private boolean expired(Floor f, long now) {
    return now - f.setAtNanos > retentionNanos;
  }

  private void sweep(long now) {
    floors.values().removeIf(f -> expired(f, now));
    if (floors.size() > maxKeys) {
      // Over the bound within one retention period: shed a quarter, in map order.
      int excess = floors.size() - maxKeys * 3 / 4;
      for (Iterator<Map.Entry<String, Floor>> it = floors.entrySet().iterator(); it.hasNext() && excess > 0; excess--) {
        it.next();
        it.remove();
      }
    }
  }
}
