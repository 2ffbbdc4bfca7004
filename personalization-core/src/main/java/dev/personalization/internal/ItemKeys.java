package dev.personalization.internal;

import dev.personalization.feature.FeatureSchema;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cache keys of items, built once per item and then reused. Every request looks up the keys of
 * its 200 candidates, and popular ids come back request after request: remembering a key spares a
 * concatenation and a hash computation. Handing out one instance per key also lets the cache tier
 * match a stored key by identity instead of comparing characters, because the key it holds was put
 * there (by a write or a fill) through this same class.
 *
 * <p>Bounded, so that host-provided ids cannot grow it without limit; keys beyond the bound are
 * built on every call, which is only slower.
 */
public final class ItemKeys {

  static final int MAX_REMEMBERED = 1 << 18;

  private final GroupKeys keys;
  private final ConcurrentHashMap<String, String> remembered = new ConcurrentHashMap<>();

  public ItemKeys(GroupKeys keys) {
    this.keys = keys;
  }

  public FeatureSchema schema() {
    return keys.schema();
  }

  /** The cache key of item {@code id}, the same instance each time while the bound allows. */
  public String key(String id) {
    String key = remembered.get(id);
    if (key == null) {
      key = keys.key(id);
      if (remembered.size() < MAX_REMEMBERED) {
        String raced = remembered.putIfAbsent(id, key);
        if (raced != null) {
          key = raced;
        }
      }
    }
    return key;
  }

  /** The item id inside a key built by {@link #key(String)}. */
  public String id(String key) {
    return keys.id(key);
  }
}
