package dev.personalization.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Item id to category, so that events without a category still feed category popularity and
 * affinity. Kept in the heap: one small entry per catalog item.
 */
public final class ItemCatalog {

  private final ConcurrentHashMap<String, String> categories = new ConcurrentHashMap<>();

  public void put(String itemId, String category) {
    categories.put(itemId, category.intern());
  }

  /** The item's category, or {@code null} for an unknown item. */
  public String category(String itemId) {
    return categories.get(itemId);
  }

  public int size() {
    return categories.size();
  }
}
