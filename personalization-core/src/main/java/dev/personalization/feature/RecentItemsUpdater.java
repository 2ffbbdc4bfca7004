package dev.personalization.feature;

import dev.personalization.Event;
import dev.personalization.cache.FreshnessClass;
import dev.personalization.cache.StableHash;
import java.util.List;

/** {@link FeatureUpdaters#recentItems}. */
final class RecentItemsUpdater implements FeatureUpdater {

  private final int capacity;
  private final FeatureSchema schema;

  RecentItemsUpdater(int capacity) {
    if (capacity < 1 || capacity > 10_000) {
      throw new IllegalArgumentException("recent items capacity must be in [1, 10000], was " + capacity);
    }
    this.capacity = capacity;
    this.schema = new FeatureSchema(FeatureUpdaters.RECENT_ITEMS, "user", 1, FreshnessClass.DYNAMIC, List.of());
  }

  @Override
  public FeatureSchema schema() {
    return schema;
  }

  @Override
  public FeatureVector apply(FeatureVector existing, List<Event> events, long newVersion) {
    long[] refs = existing == null ? new long[0] : existing.references();
    long asOf = existing == null ? Long.MIN_VALUE : existing.asOfMillis();
    // Events arrive oldest first: each newer one goes to the front.
    for (Event e : events) {
      long t = e.timestamp().toEpochMilli();
      long hash = StableHash.of(e.itemId());
      if (t >= asOf) {
        refs = moveToFront(refs, hash);
        asOf = t;
      } else if (!contains(refs, hash) && refs.length < capacity) {
        // Older than what we hold: it belongs behind, kept only while there is room.
        refs = java.util.Arrays.copyOf(refs, refs.length + 1);
        refs[refs.length - 1] = hash;
      }
    }
    return FeatureVector.of(schema.version(), newVersion, asOf, new float[0], refs);
  }

  private long[] moveToFront(long[] refs, long hash) {
    int at = indexOf(refs, hash);
    int keep = at >= 0 ? refs.length : Math.min(refs.length + 1, capacity);
    long[] out = new long[keep];
    out[0] = hash;
    int j = 1;
    for (int i = 0; i < refs.length && j < keep; i++) {
      if (i != at) {
        out[j++] = refs[i];
      }
    }
    return out;
  }

  private static boolean contains(long[] refs, long hash) {
    return indexOf(refs, hash) >= 0;
  }

  private static int indexOf(long[] refs, long hash) {
    for (int i = 0; i < refs.length; i++) {
      if (refs[i] == hash) {
        return i;
      }
    }
    return -1;
  }
}
