package dev.personalization.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Read routing where the database has no WAL positions (H2): the "replica" is a second, separate
 * database that never receives the primary's writes, so which one answered shows in the result.
 */
class H2ReadRoutingTest {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private static String newDatabase() {
    String url = "jdbc:h2:mem:routing-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
    // Create the schema there, as replication would have.
    JdbcFeatureStore.builder().primary(JdbcEndpoint.of(url)).build().close();
    return url;
  }

  private static double reads(MeterRegistry registry, String endpoint) {
    return registry.get("personalization.jdbc.reads").tag("endpoint", endpoint).counter().count();
  }

  @Test
  void writtenEntitiesReadFromThePrimaryForTheWindowThenFromReplicas() throws Exception {
    String primaryUrl = newDatabase();
    String replicaUrl = newDatabase();
    MeterRegistry registry = new SimpleMeterRegistry();
    try (JdbcFeatureStore replicaSide = JdbcFeatureStore.builder().primary(JdbcEndpoint.of(replicaUrl)).build();
        JdbcFeatureStore store = JdbcFeatureStore.builder().primary(JdbcEndpoint.of(primaryUrl)).addReplica(JdbcEndpoint.of(replicaUrl))
            .readYourWritesWindow(Duration.ofMillis(400)).replicaProbeInterval(Duration.ofMillis(20)).meterRegistry(registry).build()) {
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!store.replicaEndpoints().get(0).isUp() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      FeatureVector onReplica = FeatureVector.of(1, 7, 0, 7f);
      replicaSide.compareAndSet(JdbcStoreSuite.USERS, "v", 0, onReplica);

      assertEquals(onReplica, store.fetchMany(JdbcStoreSuite.USERS, List.of("v")).get("v"), "unwritten entities read a replica");
      assertEquals(1.0, reads(registry, "replica-1"));

      FeatureVector written = FeatureVector.of(1, 1, 0, 1f);
      assertTrue(store.compareAndSet(JdbcStoreSuite.USERS, "u", 0, written));
      assertEquals(written, store.fetchMany(JdbcStoreSuite.USERS, List.of("u")).get("u"), "within the window: the primary");
      assertEquals(written, store.fetchMany(JdbcStoreSuite.USERS, List.of("v", "u")).get("u"), "a batch with u: the primary");
      assertEquals(2.0, reads(registry, "primary"));
      assertEquals(2.0, registry.get("personalization.jdbc.reads.primary_for_consistency").counter().count());

      Thread.sleep(450);
      assertNull(store.fetchMany(JdbcStoreSuite.USERS, List.of("u")).get("u"),
          "after the window, reads go to the replica, which (here) never got the write");
      assertEquals(written, store.primaryReads().fetchMany(JdbcStoreSuite.USERS, List.of("u")).get("u"), "unless forced");
      assertEquals(written, store.fetchManyLatest(JdbcStoreSuite.USERS, List.of("u")).get("u"), "writers always read the primary");
    }
  }

  @Test
  void unreachableReplicaIsSkippedAndReadsGoToThePrimary() throws Exception {
    String primaryUrl = newDatabase();
    MeterRegistry registry = new SimpleMeterRegistry();
    // A TCP URL where no H2 server listens: the replica never answers.
    try (JdbcFeatureStore store = JdbcFeatureStore.builder().primary(JdbcEndpoint.of(primaryUrl))
        .addReplica(JdbcEndpoint.of("jdbc:h2:tcp://127.0.0.1:1/mem:none")).replicaFailoverTimeout(Duration.ofMillis(300))
        .replicaProbeInterval(Duration.ofMillis(20)).meterRegistry(registry).build()) {
      store.compareAndSet(JdbcStoreSuite.USERS, "u", 0, FeatureVector.of(1, 1, 0, 1f));
      Thread.sleep(100);
      assertTrue(!store.replicaEndpoints().get(0).isUp());
      for (int i = 0; i < 5; i++) {
        assertEquals(1, store.fetchMany(JdbcStoreSuite.USERS, List.of("u", "x")).size());
      }
      assertEquals(0.0, reads(registry, "replica-1"));
      assertEquals(0.0, registry.get("personalization.jdbc.endpoint.up").tag("endpoint", "replica-1").gauge().value());
    }
  }
}
