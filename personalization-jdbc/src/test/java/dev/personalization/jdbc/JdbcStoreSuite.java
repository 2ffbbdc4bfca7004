package dev.personalization.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariPoolMXBean;
import dev.personalization.Event;
import dev.personalization.cache.FreshnessClass;
import dev.personalization.feature.FeatureSchema;
import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

/**
 * What the JDBC store promises beyond the FeatureStore contract, run on every database it supports:
 * statements per call, bind parameters and clear errors for bad ids, schema versions, enforced
 * statement timeouts, the slow-query log, pool metrics, no leaked connections.
 */
abstract class JdbcStoreSuite {

  static final FeatureSchema USERS = new FeatureSchema("counters", "user", 1, FreshnessClass.DYNAMIC, List.of("a"));

  /** A builder for a store whose tables nobody else uses, primary only. */
  abstract JdbcFeatureStore.Builder freshStore();

  /** An unpooled DataSource of the database {@link #freshStore()} uses, for statement counting. */
  abstract DataSource unpooledDataSource();

  /** A query that runs for many seconds unless cancelled. */
  abstract String longRunningQuery();

  static FeatureVector v(long version, float value) {
    return FeatureVector.of(1, version, 0, value);
  }

  @Test
  void fetchManyOf200IdsIsOneStatement() {
    CountingDataSource counting = new CountingDataSource(unpooledDataSource());
    try (JdbcFeatureStore store = freshStore().primary(JdbcEndpoint.of(counting)).pool(PoolSettings.custom().fixedSize(2).build())
        .build()) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        ids.add("user-" + i);
        store.compareAndSet(USERS, "user-" + i, 0, v(1, i));
      }
      Collections.shuffle(ids);
      awaitFullPool(store);
      counting.reset();
      assertEquals(200, store.fetchMany(USERS, ids).size());
      assertEquals(1, counting.executions(), "statements for fetchMany(200): " + counting.preparedSql());

      counting.reset();
      for (String id : ids.subList(0, 10)) {
        store.fetchMany(USERS, List.of(id));
      }
      assertEquals(10, counting.executions(), "the counter sees single-row selects too");
    }
  }

  @Test
  void compareAndSetOfManyIdsIsOneTransaction() {
    CountingDataSource counting = new CountingDataSource(unpooledDataSource());
    try (JdbcFeatureStore store = freshStore().primary(JdbcEndpoint.of(counting)).pool(PoolSettings.custom().fixedSize(2).build())
        .build()) {
      List<dev.personalization.feature.FeatureWrite> writes = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        writes.add(new dev.personalization.feature.FeatureWrite("u" + i, 0, v(1, i)));
      }
      awaitFullPool(store);
      counting.reset();
      assertEquals(100, store.compareAndSetAll(USERS, writes).size());
      assertTrue(counting.executions() <= 2, "one batch of inserts (plus at most one more), was " + counting.executions());
    }
  }

  @Test
  void badIdsFailClearlyAndNeverReachTheDatabase() {
    CountingDataSource counting = new CountingDataSource(unpooledDataSource());
    try (JdbcFeatureStore store = freshStore().primary(JdbcEndpoint.of(counting)).pool(PoolSettings.custom().fixedSize(2).build())
        .build()) {
      String longest = "x".repeat(256);
      assertTrue(store.compareAndSet(USERS, longest, 0, v(1, 1)));
      assertEquals(1, store.fetchMany(USERS, List.of(longest)).size());
      awaitFullPool(store);
      counting.reset();

      String tooLong = "x".repeat(257);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.fetchMany(USERS, List.of("ok", tooLong)));
      assertTrue(e.getMessage().contains("257 characters") && e.getMessage().contains("at most 256"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> store.fetchMany(USERS, java.util.Arrays.asList("ok", null)));
      assertTrue(e.getMessage().contains("index 1 is null"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> store.compareAndSet(USERS, "nul\u0000byte", 0, v(1, 1)));
      assertTrue(e.getMessage().contains("control character at index 3"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> store.compareAndSet(USERS, tooLong, 0, v(1, 1)));
      assertThrows(IllegalArgumentException.class, () -> store.compareAndSet(USERS, "", 0, v(1, 1)));
      assertThrows(NullPointerException.class, () -> store.compareAndSet(USERS, null, 0, v(1, 1)));

      Instant t = Instant.parse("2026-01-01T00:00:00Z");
      e = assertThrows(IllegalArgumentException.class, () -> store.appendNew(List.of(
          Event.of("fine", "u", "i", "click", t), new Event("e-7", null, "i", "click", t, 1, null, null))));
      assertTrue(e.getMessage().contains("event 'e-7' userId is null"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> store.appendNew(List.of(Event.of("e-8", "u", tooLong, "click", t))));
      assertTrue(e.getMessage().contains("itemId"), e.getMessage());
      assertEquals(0, counting.executions(), "rejected calls send nothing: " + counting.preparedSql());
      assertEquals(List.of(), store.appendNew(List.of()), "and nothing for nothing");
      assertEquals(0, counting.executions());

      FeatureSchema places = new FeatureSchema("visits", "place", 1, FreshnessClass.DYNAMIC, List.of("n"));
      e = assertThrows(IllegalArgumentException.class, () -> store.fetchMany(places, List.of("p")));
      assertTrue(e.getMessage().contains("'place'"), e.getMessage());
    }
  }

  @Test
  void schemaIsVersionedAndMigrationIsIdempotent() {
    DataSource ds = unpooledDataSource();
    JdbcFeatureStore.Builder first = freshStore();
    try (JdbcFeatureStore a = first.primary(JdbcEndpoint.of(ds)).build()) {
      String prefix = a.tables().prefix();
      a.compareAndSet(USERS, "kept", 0, v(1, 3));
      try (JdbcFeatureStore b = JdbcFeatureStore.builder().primary(JdbcEndpoint.of(ds)).tablePrefix(prefix).build()) {
        assertEquals(3f, b.fetchMany(USERS, List.of("kept")).get("kept").get(0), "a second start keeps the data");
      }
      List<Integer> versions = a.primaryJdbi().withHandle(h -> h.createQuery("SELECT version FROM " + a.tables().schemaVersion())
          .mapTo(Integer.class).list());
      assertEquals(List.of(JdbcFeatureStore.schemaVersion()), versions);

      a.primaryJdbi().useHandle(h -> h.execute("INSERT INTO " + a.tables().schemaVersion() + " (version, description) VALUES (99, 'future')"));
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> JdbcFeatureStore.builder().primary(JdbcEndpoint.of(ds)).tablePrefix(prefix).build());
      assertTrue(e.getMessage().contains("version 99") && e.getMessage().contains("newer"), e.getMessage());
    }
  }

  @Test
  void concurrentStartsMigrateOnce() throws Exception {
    DataSource ds = unpooledDataSource();
    String prefix;
    try (JdbcFeatureStore probe = freshStore().primary(JdbcEndpoint.of(ds)).build()) {
      prefix = probe.tables().prefix() + "c_";
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    List<java.util.concurrent.Future<JdbcFeatureStore>> starts = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        starts.add(pool.submit(() -> {
          go.await();
          return JdbcFeatureStore.builder().primary(JdbcEndpoint.of(ds)).tablePrefix(prefix).partitionMonthsAhead(1)
              .pool(PoolSettings.custom().fixedSize(1).build()).build();
        }));
      }
      go.countDown();
      List<JdbcFeatureStore> stores = new ArrayList<>();
      for (var f : starts) {
        stores.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
      }
      JdbcFeatureStore any = stores.get(0);
      assertEquals(List.of(JdbcFeatureStore.schemaVersion()), any.primaryJdbi().withHandle(h -> h.createQuery("SELECT version FROM "
          + any.tables().schemaVersion()).mapTo(Integer.class).list()));
      assertTrue(stores.get(3).compareAndSet(USERS, "u", 0, v(1, 1)));
      assertEquals(1, any.fetchMany(USERS, List.of("u")).size());
      stores.forEach(JdbcFeatureStore::close);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void statementTimeoutIsEnforcedByTheDatabase() {
    try (JdbcFeatureStore store = freshStore().primary(JdbcEndpoint.of(unpooledDataSource()))
        .pool(PoolSettings.custom().fixedSize(2).statementTimeout(Duration.ofMillis(500)).build()).build()) {
      long start = System.nanoTime();
      RuntimeException e = assertThrows(RuntimeException.class,
          () -> store.primaryJdbi().withHandle(h -> h.createQuery(longRunningQuery()).mapTo(Long.class).list()));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis < 5_000, "cancelled after " + millis + " ms");
      SQLException sql = Endpoint.find(e, SQLException.class);
      if (sql == null) {
        throw new AssertionError("no SQLException in", e);
      }
      assertEquals("57014", sql.getSQLState(), sql.toString());
      RuntimeException translated = store.primaryEndpoint().translate("test", e);
      assertInstanceOf(JdbcStoreException.class, translated);
      assertTrue(translated.getMessage().contains("statement timeout of 500 ms"), translated.getMessage());
      assertTrue(store.primaryEndpoint().isUp(), "a timeout is not an outage");
    }
  }

  @Test
  void slowStatementsAreCountedAndFastOnesAreNot() {
    MeterRegistry fast = new SimpleMeterRegistry();
    try (JdbcFeatureStore store = freshStore().primary(JdbcEndpoint.of(unpooledDataSource())).meterRegistry(fast)
        .slowQueryThreshold(Duration.ofHours(1)).build()) {
      store.fetchMany(USERS, List.of("a", "b"));
      assertTrue(fast.get("personalization.jdbc.statements").tag("endpoint", "primary").timer().count() > 0);
      assertEquals(0, fast.get("personalization.jdbc.statements.slow").tag("endpoint", "primary").counter().count());
    }
    MeterRegistry all = new SimpleMeterRegistry();
    try (JdbcFeatureStore store = freshStore().primary(JdbcEndpoint.of(unpooledDataSource())).meterRegistry(all)
        .slowQueryThreshold(Duration.ZERO).build()) {
      double before = all.get("personalization.jdbc.statements.slow").tag("endpoint", "primary").counter().count();
      store.fetchMany(USERS, List.of("a", "b"));
      assertEquals(before + 1, all.get("personalization.jdbc.statements.slow").tag("endpoint", "primary").counter().count());
    }
  }

  @Test
  void slowQueryShapeHidesValuesAndShortensLists() {
    assertEquals("SELECT a FROM t WHERE id IN (?, ...) AND x = ?",
        StatementObserver.shape("SELECT a\n  FROM t WHERE id IN (?, ?, ?,?) AND x = ?"));
  }

  @Test
  void poolsReportMetricsAndLeakNoConnection() {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (JdbcFeatureStore store = freshStore().primary(JdbcEndpoint.of(unpooledDataSource())).meterRegistry(registry)
        .pool(PoolSettings.custom().fixedSize(3).build()).build()) {
      store.compareAndSet(USERS, "u", 0, v(1, 1));
      store.fetchMany(USERS, List.of("u"));
      store.appendNew(List.of(Event.of("e", "u", "i", "click", Instant.now())));
      assertThrows(IllegalArgumentException.class, () -> store.fetchMany(USERS, List.of("x".repeat(300))));
      assertEquals(3.0, registry.get("hikaricp.connections.max").tag("pool", "personalization-primary").gauge().value());
      assertTrue(registry.get("hikaricp.connections.usage").tag("pool", "personalization-primary").timer().count() > 0);
      HikariPoolMXBean pool = store.primaryEndpoint().pool.getHikariPoolMXBean();
      assertEquals(0, pool.getActiveConnections(), "every borrowed connection went back");
      assertEquals(PoolSettings.DEFAULT_LEAK_DETECTION_THRESHOLD.toMillis(), store.primaryEndpoint().pool.getLeakDetectionThreshold());
    }
  }

  /**
   * The event append and the feature writes of one ingest batch commit together: a failure after
   * the append (here an updater that gives up, after another group was already written) leaves
   * neither events nor features behind, so the retry applies the whole batch. With two separate
   * transactions the retry would skip the logged events as duplicates and their features would
   * never be written.
   */
  @Test
  void ingestAppendsEventsAndWritesFeaturesInOneTransaction() {
    java.util.concurrent.atomic.AtomicBoolean failNext = new java.util.concurrent.atomic.AtomicBoolean(true);
    FeatureSchema failingSchema = new FeatureSchema("fails_once", "user", 1, FreshnessClass.DYNAMIC, List.of("events"));
    dev.personalization.feature.FeatureUpdater failsOnce = new dev.personalization.feature.FeatureUpdater() {
      @Override
      public FeatureSchema schema() {
        return failingSchema;
      }

      @Override
      public FeatureVector apply(FeatureVector existing, List<Event> events, long newVersion) {
        if (failNext.getAndSet(false)) {
          throw new dev.personalization.PersonalizationException("simulated failure between the append and the feature writes");
        }
        return FeatureVector.of(1, newVersion, 0, (existing == null ? 0 : existing.get(0)) + events.size());
      }
    };
    JdbcFeatureStore store = freshStore().primary(JdbcEndpoint.of(unpooledDataSource())).build();
    try (dev.personalization.PersonalizationEngine engine = dev.personalization.PersonalizationEngine.builder().featureStore(store)
        .addFeatureUpdater(new ExactCounter()).addFeatureUpdater(failsOnce).build()) {
      Instant t = Instant.now().minusSeconds(60);
      List<Event> batch = List.of(Event.of("atomic-1", "user-1", "item-1", "click", t),
          Event.of("atomic-2", "user-1", "item-2", "click", t.plusMillis(1)),
          Event.of("atomic-3", "user-2", "item-1", "click", t.plusMillis(2)));

      dev.personalization.PersonalizationException failed = assertThrows(dev.personalization.PersonalizationException.class,
          () -> engine.ingest(batch));
      assertTrue(failed.getMessage().contains("simulated failure"), failed.getMessage());
      assertEquals(0, count(store, "SELECT count(*) FROM " + store.tables().events()));
      assertEquals(0, count(store, "SELECT count(*) FROM " + store.tables().eventIds()));
      assertTrue(store.fetchManyLatest(ExactCounter.SCHEMA, List.of("user-1", "user-2")).isEmpty(),
          "the group written before the failure must be rolled back too");

      dev.personalization.IngestResult retried = engine.ingest(batch);
      assertEquals(3, retried.applied());
      assertEquals(0, retried.duplicates());
      assertEquals(3, count(store, "SELECT count(*) FROM " + store.tables().events()));
      assertEquals(2f, store.fetchManyLatest(ExactCounter.SCHEMA, List.of("user-1")).get("user-1").get(0));
      assertEquals(1f, store.fetchManyLatest(failingSchema, List.of("user-2")).get("user-2").get(0));
    }
  }

  @Test
  void closedStoreRefusesWork() {
    JdbcFeatureStore store = freshStore().primary(JdbcEndpoint.of(unpooledDataSource())).build();
    store.close();
    store.close();
    assertThrows(IllegalStateException.class, () -> store.fetchMany(USERS, List.of("a")));
    assertFalse(store.primaryEndpoint().pool.isRunning());
  }

  /**
   * Waits until the pool has opened all its connections: opening one runs the session's
   * statement-timeout setting, which must not be counted against the call under test.
   */
  static void awaitFullPool(JdbcFeatureStore store) {
    HikariPoolMXBean pool = store.primaryEndpoint().pool.getHikariPoolMXBean();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (pool.getTotalConnections() < store.primaryEndpoint().pool.getMaximumPoolSize()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("pool did not fill: " + pool.getTotalConnections());
      }
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
    }
  }

  static long count(JdbcFeatureStore store, String sql) {
    try (Handle h = store.primaryJdbi().open()) {
      return h.createQuery(sql).mapTo(Long.class).one();
    }
  }
}
