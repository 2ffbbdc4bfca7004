package dev.personalization.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.Event;
import dev.personalization.IngestResult;
import dev.personalization.PersonalizationEngine;
import dev.personalization.RecommendationRequest;
import dev.personalization.Recommendations;
import dev.personalization.Scenario;
import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real primary with two real streaming replicas: one that replays at once, one that holds every
 * commit back by {@value #APPLY_DELAY_MS} ms ({@code recovery_min_apply_delay}), so replication lag
 * is real and long enough to see. Replicas and the primary are killed and restarted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresReplicationIT {

  static final int APPLY_DELAY_MS = 4000;

  private PostgresServer primary;
  private PostgresServer fast;
  private PostgresServer delayed;

  @BeforeAll
  void startServers() {
    primary = PostgresServer.startPrimary("primary", PostgresServer.testSettings());
    fast = PostgresServer.startReplica(primary, "replica_fast", Map.of());
    delayed = PostgresServer.startReplica(primary, "replica_delayed", Map.of("recovery_min_apply_delay", "'" + APPLY_DELAY_MS + "ms'"));
  }

  @AfterAll
  void stopServers() {
    for (PostgresServer s : new PostgresServer[] {delayed, fast, primary}) {
      if (s != null) {
        s.close();
      }
    }
  }

  private JdbcFeatureStore.Builder store(String prefix, MeterRegistry registry) {
    return JdbcFeatureStore.builder().primary(primary.endpoint()).tablePrefix(prefix).meterRegistry(registry)
        .replicaProbeInterval(Duration.ofMillis(50)).partitionMonthsAhead(0)
        .pool(PoolSettings.custom().fixedSize(3).connectionTimeout(Duration.ofSeconds(1)).build());
  }

  private static void await(String what, Duration max, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + max + " waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }

  private static double reads(MeterRegistry registry, String endpoint) {
    return registry.get("personalization.jdbc.reads").tag("endpoint", endpoint).counter().count();
  }

  private static FeatureVector v(long version) {
    return FeatureVector.of(1, version, 0, (float) version);
  }

  /** What the replica itself holds right now, bypassing the store. */
  private static Long versionOnServer(PostgresServer server, String table, String user) throws Exception {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl(), "postgres", "");
        PreparedStatement ps = c.prepareStatement("SELECT version FROM " + table + " WHERE user_id = ?")) {
      ps.setString(1, user);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  private static boolean tableExists(PostgresServer server, String table) {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl(), "postgres", "");
        PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    } catch (java.sql.SQLException e) {
      return false;
    }
  }

  @Test
  @Order(1)
  void aReadStraightAfterAWriteNeverMissesItUnderRealLag() throws Exception {
    String prefix = SharedPostgres.freshPrefix();
    MeterRegistry registry = new SimpleMeterRegistry();
    try (JdbcFeatureStore store = store(prefix, registry).addReplica(delayed.endpoint()).build()) {
      Endpoint replica = store.replicaEndpoints().get(0);
      await("the replica answers probes", Duration.ofSeconds(10), replica::isUp);
      String table = store.tables().userFeatures();
      await("the replica replays the store's DDL", Duration.ofSeconds(APPLY_DELAY_MS / 1000 + 10), () -> tableExists(delayed, table));
      int staleOnReplica = 0;
      for (int i = 0; i < 20; i++) {
        String user = "user-" + i;
        assertTrue(store.compareAndSet(JdbcStoreSuite.USERS, user, 0, v(1)));
        assertEquals(v(1), store.fetchMany(JdbcStoreSuite.USERS, List.of(user)).get(user), "read straight after the insert");
        assertTrue(store.compareAndSet(JdbcStoreSuite.USERS, user, 1, v(2)));
        assertEquals(v(2), store.fetchMany(JdbcStoreSuite.USERS, List.of(user, "someone-else")).get(user),
            "read straight after the update");
        if (versionOnServer(delayed, table, user) == null) {
          staleOnReplica++;
        }
      }
      assertTrue(staleOnReplica > 0, "the lag must be real: the replica itself did not have the writes yet");
      assertTrue(registry.get("personalization.jdbc.reads.primary_for_consistency").counter().count() >= 40);

      double replicaReadsBefore = reads(registry, "replica-1");
      assertEquals(1.0, store.fetchMany(JdbcStoreSuite.USERS, List.of("never-written")).size() + 1.0);
      assertEquals(replicaReadsBefore + 1, reads(registry, "replica-1"), "entities without recent writes read from the replica");

      await("the replica replays every write and the store notices", Duration.ofSeconds(APPLY_DELAY_MS / 1000 + 10),
          () -> store.trackedWrites() == 0);
      assertEquals(2L, versionOnServer(delayed, table, "user-0"));
      double before = reads(registry, "replica-1");
      assertEquals(v(2), store.fetchMany(JdbcStoreSuite.USERS, List.of("user-0")).get("user-0"));
      assertEquals(before + 1, reads(registry, "replica-1"), "once replayed, the entity reads from the replica again");

      double primaryBefore = reads(registry, "primary");
      assertEquals(v(2), store.primaryReads().fetchMany(JdbcStoreSuite.USERS, List.of("user-0")).get("user-0"));
      assertEquals(primaryBefore + 1, reads(registry, "primary"), "callers can force the primary");
    }
  }

  @Test
  @Order(2)
  void readsKeepSucceedingWhenAReplicaIsKilledAndItReturnsWhenRestarted() throws Exception {
    String prefix = SharedPostgres.freshPrefix();
    MeterRegistry registry = new SimpleMeterRegistry();
    try (JdbcFeatureStore store = store(prefix, registry).addReplica(fast.endpoint()).addReplica(delayed.endpoint()).build()) {
      for (Endpoint r : store.replicaEndpoints()) {
        await(r + " answers probes", Duration.ofSeconds(10), r::isUp);
      }
      List<String> users = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        users.add("user-" + i);
        store.compareAndSet(JdbcStoreSuite.USERS, "user-" + i, 0, v(i + 1));
      }
      await("both replicas replay the writes", Duration.ofSeconds(APPLY_DELAY_MS / 1000 + 10), () -> store.trackedWrites() == 0);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger ok = new AtomicInteger();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread reader = new Thread(() -> {
        while (!stop.get() && failure.get() == null) {
          try {
            int i = ThreadLocalRandom.current().nextInt(users.size());
            FeatureVector found = store.fetchMany(JdbcStoreSuite.USERS, List.of(users.get(i))).get(users.get(i));
            assertEquals(v(i + 1), found);
            ok.incrementAndGet();
          } catch (Throwable t) {
            failure.set(t);
          }
        }
      });
      reader.start();
      Thread.sleep(300);
      fast.kill();
      Thread.sleep(2000);
      stop.set(true);
      reader.join();
      if (failure.get() != null) {
        throw new AssertionError("a read failed after the replica was killed (" + ok.get() + " succeeded)", failure.get());
      }
      assertTrue(ok.get() > 50, "reads kept flowing: " + ok.get());
      Endpoint killed = store.replicaEndpoints().get(0);
      assertFalse(killed.isUp(), "the killed replica is out of rotation");

      fast.start();
      await("the restarted replica is back in rotation", Duration.ofSeconds(15), killed::isUp);
      double before = reads(registry, "replica-1");
      for (int i = 0; i < 20; i++) {
        store.fetchMany(JdbcStoreSuite.USERS, List.of(users.get(i)));
      }
      assertTrue(reads(registry, "replica-1") > before, "the restarted replica serves reads again");
    }
  }

  @Test
  @Order(3)
  void primaryDownIngestFailsClearlyRecommendDegradesOnlyWhereItMustAndWritesResume() throws Exception {
    String prefix = SharedPostgres.freshPrefix();
    MeterRegistry registry = new SimpleMeterRegistry();
    JdbcFeatureStore store = store(prefix, registry).addReplica(delayed.endpoint()).build();
    try (PersonalizationEngine engine = IngestScenarios.engine(store)) {
      await("the replica answers probes", Duration.ofSeconds(10), () -> store.replicaEndpoints().get(0).isUp());
      Instant t = Instant.now().minusSeconds(30);
      List<Event> early = List.of(Event.of("a1", "alice", "sku-1", "click", t), Event.of("a2", "alice", "sku-2", "view", t),
          Event.of("b1", "bob", "sku-3", "purchase", t));
      assertEquals(3, engine.ingest(early).applied());
      await("the replica replays alice's features", Duration.ofSeconds(APPLY_DELAY_MS / 1000 + 10), () -> store.trackedWrites() == 0);

      // Carol's features are written just before the primary dies: the replica is still holding them back.
      assertEquals(1, engine.ingest(List.of(Event.of("c1", "carol", "sku-1", "click", t))).applied());
      primary.kill();
      try {
        long start = System.nanoTime();
        RuntimeException e = assertThrows(RuntimeException.class,
            () -> engine.ingest(List.of(Event.of("a3", "alice", "sku-3", "click", Instant.now()))));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertInstanceOf(StoreUnavailableException.class, e, e::toString);
        assertTrue(e.getMessage().contains("primary is unavailable") && e.getMessage().contains("retrying is safe"), e.getMessage());
        assertTrue(millis < 10_000, "failed within the connection timeout, took " + millis + " ms");

        RecommendationRequest carol = RecommendationRequest.builder("carol", Scenario.HOMEPAGE).deadline(Duration.ofSeconds(3)).build();
        Recommendations degraded = engine.recommendNow(carol);
        assertTrue(degraded.degraded(), "carol's features exist only on the dead primary: " + degraded);
        assertFalse(degraded.items().isEmpty(), "degraded, but still answering");

        RecommendationRequest alice = RecommendationRequest.builder("alice", Scenario.HOMEPAGE).deadline(Duration.ofSeconds(3)).build();
        Recommendations fine = engine.recommendNow(alice);
        assertFalse(fine.degraded(), "alice's features come from the replica: " + fine);
        assertFalse(fine.items().isEmpty());
      } finally {
        primary.start();
      }

      // Writes resume on the same engine once the primary is back.
      IngestResult resumed = null;
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (resumed == null) {
        try {
          resumed = engine.ingest(List.of(Event.of("a3", "alice", "sku-3", "click", Instant.now())));
        } catch (StoreUnavailableException e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(200);
        }
      }
      assertEquals(1, resumed.applied());
      assertEquals(3f, store.fetchManyLatest(ExactCounter.SCHEMA, List.of("alice")).get("alice").get(0));
      assertNull(store.fetchManyLatest(ExactCounter.SCHEMA, List.of("dave")).get("dave"));
    }
  }
}
