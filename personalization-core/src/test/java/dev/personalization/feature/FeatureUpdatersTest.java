package dev.personalization.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.Event;
import dev.personalization.cache.StableHash;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureUpdatersTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static Event event(String id, String item, String type, Instant at) {
    return Event.of(id, "u", item, type, at);
  }

  @Test
  void countersDecayPerHalfLifeAndCountOnlyTheirType() {
    FeatureUpdater counters = FeatureUpdaters.decayedCounters(List.of("view", "click"),
        List.of(Duration.ofHours(1), Duration.ofDays(1)));
    assertEquals(List.of("view_1h", "view_1d", "click_1h", "click_1d"), counters.schema().columns());
    FeatureVector v = counters.apply(null, List.of(
        event("1", "a", "click", T0),
        event("2", "b", "click", T0.plus(Duration.ofHours(1)))), 1);
    assertEquals(T0.plus(Duration.ofHours(1)).toEpochMilli(), v.asOfMillis());
    assertEquals(0f, v.get(0), 1e-6);
    assertEquals(0f, v.get(1), 1e-6);
    assertEquals(1.5f, v.get(2), 1e-6);                       // 1 * 0.5 + 1
    assertEquals((float) (Math.pow(2, -1.0 / 24) + 1), v.get(3), 1e-6);
    assertTrue(counters.touches(event("3", "c", "view", T0)));
    assertFalse(counters.touches(event("4", "c", "purchase", T0)));
  }

  @Test
  void countersAreTheSameWhateverTheBatching() {
    FeatureUpdater counters = FeatureUpdaters.decayedCounters(List.of("click"), FeatureUpdaters.DEFAULT_HALF_LIVES);
    Event a = event("1", "a", "click", T0);
    Event b = event("2", "b", "click", T0.plus(Duration.ofMinutes(30)));
    Event c = event("3", "c", "click", T0.plus(Duration.ofMinutes(90)));
    FeatureVector oneBatch = counters.apply(null, List.of(a, b, c), 1);
    FeatureVector threeBatches = counters.apply(counters.apply(counters.apply(null, List.of(a), 1), List.of(b), 2), List.of(c), 3);
    // A late event applied after a newer one lands on the same value too.
    FeatureVector outOfOrder = counters.apply(counters.apply(null, List.of(c, b), 1), List.of(a), 2);
    for (int i = 0; i < oneBatch.size(); i++) {
      assertEquals(oneBatch.get(i), threeBatches.get(i), 1e-5);
      assertEquals(oneBatch.get(i), outOfOrder.get(i), 1e-5);
    }
  }

  @Test
  void recentItemsKeepsTheLastDistinctItemsMostRecentFirst() {
    FeatureUpdater recent = FeatureUpdaters.recentItems(3);
    FeatureVector v = recent.apply(null, List.of(
        event("1", "a", "view", T0),
        event("2", "b", "view", T0.plusSeconds(1)),
        event("3", "a", "view", T0.plusSeconds(2)),
        event("4", "c", "view", T0.plusSeconds(3)),
        event("5", "d", "view", T0.plusSeconds(4))), 7);
    assertArrayEquals(new long[] {StableHash.of("d"), StableHash.of("c"), StableHash.of("a")}, v.references());
    assertEquals(7, v.version());
    assertTrue(v.references(StableHash.of("a")));
    assertFalse(v.references(StableHash.of("b")));
  }

  @Test
  void categoryAffinityGoesToTheCategorysBucket() {
    FeatureUpdater affinity = FeatureUpdaters.categoryAffinity(16, Duration.ofDays(7));
    FeatureVector v = affinity.apply(null, List.of(
        event("1", "a", "view", T0).withCategory("shoes"),
        event("2", "b", "view", T0).withCategory("shoes").withWeight(2)), 1);
    int bucket = FeatureUpdaters.affinityBucket("shoes", 16);
    assertEquals(3f, v.get(bucket), 1e-6);
    float total = 0;
    for (float f : v.values()) {
      total += f;
    }
    assertEquals(3f, total, 1e-6);
    assertFalse(affinity.touches(event("3", "c", "view", T0)));
  }

  @Test
  void badConfigurationsFailFast() {
    assertThrows(IllegalArgumentException.class, () -> FeatureUpdaters.recentItems(0));
    assertThrows(IllegalArgumentException.class, () -> FeatureUpdaters.categoryAffinity(0, Duration.ofDays(1)));
    assertThrows(IllegalArgumentException.class, () -> FeatureUpdaters.categoryAffinity(8, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> FeatureUpdaters.decayedCounters(List.of(), FeatureUpdaters.DEFAULT_HALF_LIVES));
  }
}
