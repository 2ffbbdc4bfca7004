package dev.personalization.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.personalization.cache.FreshnessClass;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The SPI's default bulk methods, on the in-memory store. */
class FeatureStoreDefaultsTest {

  private static final FeatureSchema SCHEMA = new FeatureSchema("g", "user", 1, FreshnessClass.DYNAMIC, List.of("a"));

  @Test
  void compareAndSetAllWritesWinnersAndReportsOnlyThem() {
    FeatureStore store = FeatureStore.inMemory();
    store.compareAndSet(SCHEMA, "taken", 0, FeatureVector.of(1, 1, 0, 5f));
    Set<String> won = store.compareAndSetAll(SCHEMA, List.of(
        new FeatureWrite("new", 0, FeatureVector.of(1, 1, 0, 1f)),
        new FeatureWrite("taken", 0, FeatureVector.of(1, 1, 0, 2f)),
        new FeatureWrite("stale", 3, FeatureVector.of(1, 4, 0, 3f))));
    assertEquals(Set.of("new"), won);
    assertEquals(5f, store.fetchManyLatest(SCHEMA, List.of("taken")).get("taken").get(0));
    assertEquals(1f, store.fetchMany(SCHEMA, List.of("new")).get("new").get(0));
  }

  @Test
  void compareAndSetAllRejectsTwoWritesOfOneId() {
    FeatureStore store = FeatureStore.inMemory();
    assertThrows(IllegalArgumentException.class, () -> store.compareAndSetAll(SCHEMA, List.of(
        new FeatureWrite("x", 0, FeatureVector.of(1, 1, 0, 1f)), new FeatureWrite("x", 0, FeatureVector.of(1, 1, 0, 2f)))));
    assertEquals(0, store.fetchMany(SCHEMA, List.of("x")).size());
  }

  @Test
  void featureWriteRejectsAVersionThatDoesNotGrow() {
    assertThrows(IllegalArgumentException.class, () -> new FeatureWrite("x", 2, FeatureVector.of(1, 2, 0, 1f)));
    assertThrows(IllegalArgumentException.class, () -> new FeatureWrite("x", -1, FeatureVector.of(1, 2, 0, 1f)));
  }
}
