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

  /**
   * A key's floor. The version never changes; the time is refreshed in place when the same version
   * is raised again (each value served raises its key's floor): no new object per raise, and no
   * new reference from the long-lived map to a young object, which the collector would have to
   * scan at every young collection.
   */
  private static final class Floor {
    final long version;
    volatile long setAtNanos;

    Floor(long version, long setAtNanos) {
      this.version = version;
      this.setAtNanos = setAtNanos;
    }
  }

  /** Records that {@code version} of {@code key} exists. */
  void raise(String key, long version) {
    raise(key, version, System.nanoTime(), floors.get(key));
  }

  /**
   * Whether {@code version} of {@code key} may be served, i.e. is not older than the key's floor;
   * if so, and {@code raise}, raises the floor to it. One map lookup when the floor already holds
   * this version, which is the common case of a key served again.
   */
  boolean admit(String key, long version, boolean raise) {
    if (!raise && floors.isEmpty()) {
      return true;
    }
    long now = System.nanoTime();
    Floor held = floors.get(key);
    if (held != null && version < held.version && !expired(held, now)) {
      return false;
    }
    if (raise) {
      raise(key, version, now, held);
    }
    return true;
  }

  private void raise(String key, long version, long now, Floor held) {
    // Refreshed in place only while far from expiry, so that a sweep can never remove a floor
    // that was just refreshed (the sweep only removes floors older than the retention).
    if (held != null && held.version == version && now - held.setAtNanos <= retentionNanos / 2) {
      held.setAtNanos = now;
    } else {
      Floor fresh = new Floor(version, now);
      floors.merge(key, fresh, (h, incoming) -> h.version > incoming.version && !expired(h, now) ? h : incoming);
    }
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
