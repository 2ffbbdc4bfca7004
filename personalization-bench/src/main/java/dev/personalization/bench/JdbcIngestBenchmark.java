package dev.personalization.bench;

import dev.personalization.Event;
import dev.personalization.IngestResult;
import dev.personalization.PersonalizationEngine;
import dev.personalization.jdbc.JdbcFeatureStore;
import dev.personalization.jdbc.PoolSettings;
import dev.personalization.jdbc.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Ingest throughput in events per second on a real PostgreSQL on loopback: batches of
 * {@value #BATCH} new events over {@value #USERS} users, through {@code engine.ingest} (event log
 * append, then the three built-in feature groups, each one bulk read and one bulk compare-and-set),
 * and through the store's {@code appendNew} alone. {@code durable=true} keeps PostgreSQL's defaults
 * (fsync, synchronous commit); {@code false} turns both off.
 *
 * <pre>java -jar personalization-bench/target/benchmarks.jar JdbcIngestBenchmark -f 1 -wi 2 -i 3</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JdbcIngestBenchmark {

  static final int BATCH = 1000;
  static final int USERS = 100;

  @Param({"true", "false"})
  public boolean durable;

  private PostgresServer server;
  private JdbcFeatureStore store;
  private PersonalizationEngine engine;
  private final AtomicLong ids = new AtomicLong();

  @Setup(Level.Trial)
  public void setUp() {
    Map<String, String> settings = new LinkedHashMap<>();
    if (!durable) {
      settings.put("fsync", "off");
      settings.put("synchronous_commit", "off");
    }
    server = PostgresServer.startPrimary("bench-ingest", settings);
    store = JdbcFeatureStore.builder().primary(server.endpoint()).pool(PoolSettings.forDatabaseCores(2))
        // Slow statements would still be counted; a 1 s threshold keeps the log out of the JMH output.
        .slowQueryThreshold(Duration.ofSeconds(1)).build();
    engine = PersonalizationEngine.builder().featureStore(store).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    engine.close();
    server.close();
  }

  private List<Event> batch() {
    List<Event> events = new ArrayList<>(BATCH);
    Instant now = Instant.now().minusSeconds(1);
    for (int i = 0; i < BATCH; i++) {
      long id = ids.incrementAndGet();
      events.add(Event.of("e" + id, "user-" + (id % USERS), "item-" + (id % 997), i % 5 == 0 ? "purchase" : "click", now));
    }
    return events;
  }

  /** {@code engine.ingest}: log append and feature updates; every reported op is one event. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public IngestResult engineIngest() {
    return engine.ingest(batch());
  }

  /** The event log append alone: one statement per batch. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public List<Event> appendOnly() {
    return store.appendNew(batch());
  }
}
