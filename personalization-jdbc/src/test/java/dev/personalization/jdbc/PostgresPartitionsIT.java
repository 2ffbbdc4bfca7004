package dev.personalization.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.Event;
import java.time.Instant;
import java.time.InstantSource;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Monthly partitions of the event table on PostgreSQL, the default partition, and the maintainer. */
class PostgresPartitionsIT {

  private static final Instant NOW = Instant.parse("2026-11-15T12:00:00Z");

  private JdbcFeatureStore store(String prefix, InstantSource clock) {
    return JdbcFeatureStore.builder().primary(SharedPostgres.server().endpoint()).tablePrefix(prefix).clock(clock)
        .pool(PoolSettings.custom().fixedSize(2).build()).build();
  }

  @Test
  void currentAndNextMonthsExistFromTheStart() {
    String prefix = SharedPostgres.freshPrefix();
    try (JdbcFeatureStore store = store(prefix, InstantSource.fixed(NOW))) {
      assertEquals(List.of(prefix + "events_p202611", prefix + "events_p202612", prefix + "events_p202701", prefix + "events_p202702"),
          partitions(store));
      assertTrue(store.maintainPartitions().created().isEmpty(), "a second run has nothing to do");
      Event e = Event.of("e1", "u", "i", "click", Instant.parse("2026-12-24T18:00:00Z"));
      assertEquals(List.of(e), store.appendNew(List.of(e)));
      assertEquals(1, JdbcStoreSuite.count(store, "SELECT count(*) FROM " + prefix + "events_p202612"));
      assertEquals(0, JdbcStoreSuite.count(store, "SELECT count(*) FROM " + store.tables().eventsDefault()));
    }
  }

  @Test
  void eventsWithoutAPartitionLandInTheDefaultAndMoveLater() {
    String prefix = SharedPostgres.freshPrefix();
    try (JdbcFeatureStore store = store(prefix, InstantSource.fixed(NOW))) {
      Event old = Event.of("old", "u", "i", "click", Instant.parse("2019-03-10T08:00:00Z"));
      Event older = Event.of("older", "u", "i", "view", Instant.parse("2019-03-31T23:59:59.999999Z"));
      Event later = Event.of("later", "u", "i", "view", Instant.parse("2027-09-01T00:00:00Z"));
      Event current = Event.of("current", "u", "i", "view", NOW);
      assertEquals(List.of(old, older, later, current), store.appendNew(List.of(old, older, later, current)), "none is rejected");
      assertEquals(3, JdbcStoreSuite.count(store, "SELECT count(*) FROM " + store.tables().eventsDefault()));

      PartitionMaintenance m = store.maintainPartitions();
      assertEquals(List.of(prefix + "events_p201903"), m.created());
      assertEquals(2, m.movedFromDefault());
      assertEquals(1, m.leftInDefault(), "September 2027 is beyond the months kept ahead");
      assertEquals(2, JdbcStoreSuite.count(store, "SELECT count(*) FROM " + prefix + "events_p201903"));
      assertEquals(4, JdbcStoreSuite.count(store, "SELECT count(*) FROM " + store.tables().events()), "nothing lost or doubled");
      assertEquals(List.of(), store.appendNew(List.of(old, later)), "moved events stay deduplicated");
    }
    // Time passes: September 2027 enters the horizon and its event leaves the default partition.
    try (JdbcFeatureStore store = store(prefix, InstantSource.fixed(Instant.parse("2027-07-01T00:00:00Z")))) {
      assertEquals(0, JdbcStoreSuite.count(store, "SELECT count(*) FROM " + store.tables().eventsDefault()));
      assertEquals(1, JdbcStoreSuite.count(store, "SELECT count(*) FROM " + prefix + "events_p202709"));
      assertTrue(partitions(store).contains(prefix + "events_p202710"));
    }
  }

  @Test
  void concurrentMaintenanceRunsCreateEachPartitionOnce() throws Exception {
    String prefix = SharedPostgres.freshPrefix();
    try (JdbcFeatureStore a = store(prefix, InstantSource.fixed(NOW)); JdbcFeatureStore b = store(prefix, InstantSource.fixed(NOW))) {
      List<Event> old = new java.util.ArrayList<>();
      for (int m = 1; m <= 6; m++) {
        old.add(Event.of("old-" + m, "u", "i", "click", Instant.parse(String.format("2020-%02d-15T00:00:00Z", m))));
      }
      a.appendNew(old);
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        List<java.util.concurrent.Future<PartitionMaintenance>> runs = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
          JdbcFeatureStore s = i % 2 == 0 ? a : b;
          runs.add(pool.submit(s::maintainPartitions));
        }
        java.util.Set<String> created = new java.util.HashSet<>();
        long moved = 0;
        for (var r : runs) {
          PartitionMaintenance m = r.get(60, java.util.concurrent.TimeUnit.SECONDS);
          for (String name : m.created()) {
            assertTrue(created.add(name), "created twice: " + name);
          }
          moved += m.movedFromDefault();
        }
        assertEquals(6, created.size());
        assertEquals(6, moved);
      } finally {
        pool.shutdownNow();
      }
      assertEquals(0, JdbcStoreSuite.count(a, "SELECT count(*) FROM " + a.tables().eventsDefault()));
      assertEquals(6, JdbcStoreSuite.count(a, "SELECT count(*) FROM " + a.tables().events()));
    }
  }

  @Test
  void scheduledMaintainerKeepsAhead() throws Exception {
    String prefix = SharedPostgres.freshPrefix();
    Instant[] now = {NOW};
    InstantSource clock = () -> now[0];
    try (JdbcFeatureStore store = JdbcFeatureStore.builder().primary(SharedPostgres.server().endpoint()).tablePrefix(prefix)
        .clock(clock).partitionMonthsAhead(1).partitionMaintenanceInterval(java.time.Duration.ofSeconds(1))
        .pool(PoolSettings.custom().fixedSize(2).build()).build()) {
      assertEquals(List.of(prefix + "events_p202611", prefix + "events_p202612"), partitions(store));
      now[0] = YearMonth.of(2027, 1).atDay(2).atStartOfDay().toInstant(ZoneOffset.UTC);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!partitions(store).contains(prefix + "events_p202702") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(partitions(store).contains(prefix + "events_p202702"), "the maintainer created February: " + partitions(store));
    }
  }

  private static List<String> partitions(JdbcFeatureStore store) {
    return store.primaryJdbi().withHandle(h -> h.createQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        + " WHERE i.inhparent = to_regclass(?) AND c.relname <> ? ORDER BY c.relname").bind(0, store.tables().events())
        .bind(1, store.tables().eventsDefault()).mapTo(String.class).list());
  }
}
