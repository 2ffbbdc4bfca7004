package dev.personalization.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.personalization.Event;
import dev.personalization.IngestResult;
import dev.personalization.Item;
import dev.personalization.PersonalizationEngine;
import dev.personalization.RecommendationRequest;
import dev.personalization.Recommendations;
import dev.personalization.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine on the embedded H2 default: the quickstart's setup, durable files, concurrent engines. */
class EngineOnJdbcTest {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private static List<Event> events(String user, Instant t) {
    return List.of(Event.of(user + "-1", user, "sku-1", "click", t), Event.of(user + "-2", user, "sku-2", "view", t),
        Event.of(user + "-3", user, "sku-1", "purchase", t.plusSeconds(1)));
  }

  private static float count(JdbcFeatureStore store, String user) {
    return store.fetchManyLatest(ExactCounter.SCHEMA, List.of(user)).get(user).get(0);
  }

  @Test
  void embeddedDefaultServesTheEngineAndReplaysCountNothing() {
    JdbcFeatureStore store = JdbcFeatureStore.embeddedH2();
    try (PersonalizationEngine engine = IngestScenarios.engine(store)) {
      engine.upsertItems(List.of(new Item("sku-1", "shoes", new float[0]), new Item("sku-2", "hats", new float[0]),
          new Item("sku-3", "shoes", new float[0])));
      Instant t = Instant.now().minusSeconds(10);
      assertEquals(3, engine.ingest(events("u1", t)).applied());
      Recommendations recs = engine.recommendNow(RecommendationRequest.builder("u1", Scenario.HOMEPAGE).limit(5)
          .deadline(Duration.ofSeconds(5)).build());
      assertFalse(recs.degraded(), recs::toString);
      Recommendations other = engine.recommendNow(RecommendationRequest.builder("u2", Scenario.HOMEPAGE).limit(5)
          .deadline(Duration.ofSeconds(5)).build());
      assertFalse(other.degraded(), other::toString);
      assertEquals(List.of("sku-1", "sku-2"), other.items().stream().map(i -> i.itemId()).sorted().toList(),
          "u1's items are popular now; u1 has seen them all");

      IngestResult replay = engine.ingest(events("u1", t));
      assertEquals(0, replay.applied());
      assertEquals(3, replay.duplicates());
      assertEquals(3f, count(store, "u1"));
      assertEquals(3, JdbcStoreSuite.count(store, "SELECT count(*) FROM " + store.tables().events()));
    }
  }

  @Test
  void fileDatabaseKeepsFeaturesAndTheLogAcrossRestarts(@TempDir Path dir) {
    Path file = dir.resolve("features");
    Instant t = Instant.now().minusSeconds(10);
    try (PersonalizationEngine engine = IngestScenarios.engine(JdbcFeatureStore.embeddedH2(file))) {
      assertEquals(3, engine.ingest(events("u1", t)).applied());
    }
    JdbcFeatureStore reopened = JdbcFeatureStore.embeddedH2(file);
    try (PersonalizationEngine engine = IngestScenarios.engine(reopened)) {
      assertEquals(3f, count(reopened, "u1"));
      assertEquals(3, engine.ingest(events("u1", t)).duplicates(), "the log survived the restart");
      assertEquals(3f, count(reopened, "u1"));
    }
  }

  @Test
  void concurrentEnginesOnSeparateStoresLoseNoUpdate() throws Exception {
    String url = "jdbc:h2:mem:engines-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
    IngestScenarios.concurrentEnginesLoseNoUpdate(() -> JdbcFeatureStore.builder().primary(JdbcEndpoint.of(url))
        .pool(PoolSettings.custom().fixedSize(4).build()).build(), 3, 2, 15);
  }
}
