package dev.personalization.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.personalization.cache.FreshnessClass;
import dev.personalization.feature.FeatureSchema;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResolvedBoardsTest {

  private static final long NOW = Instant.parse("2026-11-30T00:00:00Z").toEpochMilli();

  private final PopularityIndex popularity =
      new PopularityIndex(Duration.ofDays(1), 10, Duration.ZERO, InstantSource.fixed(Instant.ofEpochMilli(NOW)));
  private final ItemKeys itemKeys = new ItemKeys(new GroupKeys(
      new FeatureSchema("item", "item", 1, FreshnessClass.DYNAMIC, List.of("quality")), "pz:item:", ":v1"));

  @Test
  void aListIsResolvedToTheItemsKeysAndGlobalPopularityInItsOrder() {
    popularity.record(PopularityIndex.GLOBAL, "a", 4, NOW);
    popularity.record(PopularityIndex.GLOBAL, "b", 1, NOW);
    ResolvedBoards boards = new ResolvedBoards(itemKeys, popularity, Duration.ofHours(1));

    ResolvedBoards.Resolved r = boards.resolve("scenario:HOMEPAGE", List.of("b", "a", "c"));

    assertEquals(List.of(itemKeys.key("b"), itemKeys.key("a"), itemKeys.key("c")), r.keys());
    assertArrayEquals(new float[] {0.25f, 1f, 0f}, r.popularity());
  }

  @Test
  void theSameSnapshotIsResolvedOnceWithinTheRefreshInterval() {
    ResolvedBoards boards = new ResolvedBoards(itemKeys, popularity, Duration.ofHours(1));
    List<String> snapshot = List.of("a", "b");

    ResolvedBoards.Resolved first = boards.resolve("global", snapshot);

    assertSame(first, boards.resolve("global", snapshot));
    assertNotSame(first, boards.resolve("global", List.of("a", "b")), "another list instance is another snapshot");
  }

  @Test
  void popularityIsReadAgainOnceTheIntervalHasPassed() {
    popularity.record(PopularityIndex.GLOBAL, "a", 1, NOW);
    popularity.record(PopularityIndex.GLOBAL, "b", 1, NOW);
    ResolvedBoards boards = new ResolvedBoards(itemKeys, popularity, Duration.ZERO);
    List<String> snapshot = List.of("a", "b");
    boards.resolve("global", snapshot);

    popularity.record(PopularityIndex.GLOBAL, "a", 1, NOW);

    assertArrayEquals(new float[] {1f, 0.5f}, boards.resolve("global", snapshot).popularity());
  }
}
