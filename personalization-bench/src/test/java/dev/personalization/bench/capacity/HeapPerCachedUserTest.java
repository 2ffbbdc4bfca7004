package dev.personalization.bench.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The deterministic half of the measurement: what is cached. The heap figure itself is not asserted. */
class HeapPerCachedUserTest {

  @Test
  void fillsThreeGroupsPerUserUnderTheEnginesKeys() {
    HeapPerCachedUser.Footprint shop = HeapPerCachedUser.measure("shop", 500, false);
    assertEquals(1500, shop.entries(), "counters, recent items and category affinity for every user");
    HeapPerCachedUser.Footprint full = HeapPerCachedUser.measure("full", 500, true);
    assertEquals(1500, full.entries());
    // A full user's vectors by the tier's estimate (48 + 16 + 4 per float + 16 + 8 per reference):
    // counters 12 floats, recent items 50 references, category affinity 32 floats.
    long vectors = (48 + 16 + 12 * 4 + 16) + (48 + 16 + 16 + 50 * 8) + (48 + 16 + 32 * 4 + 16);
    // Keys pe:user:{id}:counters:v1, …:recent_items:v1, …:category_affinity:v1 at two bytes per char.
    long keys = 0;
    for (int u = 0; u < 500; u++) {
      int id = ("u" + u).length();
      keys += 2L * ((20 + id) + (24 + id) + (29 + id));
    }
    assertEquals(500 * vectors + keys, full.estimatedBytes());
    assertTrue(full.estimatedBytesPerUser() > shop.estimatedBytesPerUser(), "shop users have shorter histories");
  }
}
