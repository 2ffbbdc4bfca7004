package dev.personalization.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.personalization.Event;
import dev.personalization.IngestResult;
import dev.personalization.PersonalizationEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Multi-engine ingest scenarios shared by the H2 tests and the PostgreSQL integration tests. */
final class IngestScenarios {

  private IngestScenarios() {
  }

  static PersonalizationEngine engine(JdbcFeatureStore store) {
    return PersonalizationEngine.builder().featureStore(store).addFeatureUpdater(new ExactCounter()).build();
  }

  /**
   * {@code engines} engines, each on its own store instance (own pools), {@code threads} threads
   * each, all ingesting distinct events for the same few users at once; then one more engine
   * replays every event. Checks the exact per-user counts, the log's size, and that the replay
   * changed nothing.
   */
  static void concurrentEnginesLoseNoUpdate(Supplier<JdbcFeatureStore> stores, int engines, int threads, int batchesPerThread)
      throws Exception {
    int users = 4;
    int eventsPerBatch = 8;
    Instant t0 = Instant.now().minusSeconds(60);
    List<PersonalizationEngine> running = new ArrayList<>();
    List<JdbcFeatureStore> opened = new ArrayList<>();
    List<Event> all = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(engines * threads);
    try {
      for (int e = 0; e < engines; e++) {
        JdbcFeatureStore s = stores.get();
        opened.add(s);
        running.add(engine(s));
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> work = new ArrayList<>();
      for (int e = 0; e < engines; e++) {
        PersonalizationEngine engine = running.get(e);
        for (int t = 0; t < threads; t++) {
          String source = "e" + e + "t" + t;
          work.add(pool.submit(() -> {
            go.await();
            int applied = 0;
            for (int b = 0; b < batchesPerThread; b++) {
              List<Event> batch = new ArrayList<>();
              for (int i = 0; i < eventsPerBatch; i++) {
                batch.add(Event.of(source + "-" + b + "-" + i, "user-" + (i % users), "item-" + i, "click", t0.plusMillis(b * 10 + i)));
              }
              IngestResult r = engine.ingest(batch);
              applied += r.applied();
              all.addAll(batch);
            }
            return applied;
          }));
        }
      }
      go.countDown();
      int applied = 0;
      for (Future<Integer> f : work) {
        applied += f.get(180, TimeUnit.SECONDS);
      }
      int total = engines * threads * batchesPerThread * eventsPerBatch;
      assertEquals(total, applied);
      assertEquals(total, all.size());

      JdbcFeatureStore check = opened.get(0);
      List<String> userIds = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        userIds.add("user-" + u);
      }
      Map<String, dev.personalization.feature.FeatureVector> counts = check.fetchManyLatest(ExactCounter.SCHEMA, userIds);
      for (String u : userIds) {
        assertEquals(total / users, counts.get(u).get(0), 0f, "events counted for " + u);
      }
      assertEquals(total, JdbcStoreSuite.count(check, "SELECT count(*) FROM " + check.tables().events()));

      // Replaying everything through another engine counts nothing twice.
      try (PersonalizationEngine replay = engine(stores.get())) {
        IngestResult r = replay.ingest(all);
        assertEquals(0, r.applied());
        assertEquals(total, r.duplicates());
      }
      Map<String, dev.personalization.feature.FeatureVector> after = check.fetchManyLatest(ExactCounter.SCHEMA, userIds);
      assertEquals(counts, after);
    } finally {
      pool.shutdownNow();
      running.forEach(PersonalizationEngine::close);
    }
  }
}
