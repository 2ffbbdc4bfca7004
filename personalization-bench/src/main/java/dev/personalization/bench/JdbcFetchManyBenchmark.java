package dev.personalization.bench;

import dev.personalization.cache.FreshnessClass;
import dev.personalization.feature.FeatureSchema;
import dev.personalization.feature.FeatureVector;
import dev.personalization.feature.FeatureWrite;
import dev.personalization.jdbc.JdbcFeatureStore;
import dev.personalization.jdbc.PoolSettings;
import dev.personalization.jdbc.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@code fetchMany} of 200 ids in one statement against 200 single-id fetches, on a real
 * PostgreSQL on loopback (started from Maven Central binaries, default durability settings).
 * 20,000 users with 16 floats and 20 references each; every invocation picks 200 random ids.
 *
 * <pre>java -jar personalization-bench/target/benchmarks.jar JdbcFetchManyBenchmark -f 1 -wi 2 -i 3</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JdbcFetchManyBenchmark {

  static final FeatureSchema USERS = new FeatureSchema("counters", "user", 1, FreshnessClass.DYNAMIC, columns(16));
  static final int USER_COUNT = 20_000;
  static final int BATCH = 200;

  private PostgresServer server;
  private JdbcFeatureStore store;
  private final List<List<String>> batches = new ArrayList<>();
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    server = PostgresServer.startPrimary("bench-fetch", Map.of());
    store = JdbcFeatureStore.builder().primary(server.endpoint()).pool(PoolSettings.forDatabaseCores(2))
        // Slow statements would still be counted; a 1 s threshold keeps the log out of the JMH output.
        .slowQueryThreshold(Duration.ofSeconds(1)).build();
    Random random = new Random(42);
    List<FeatureWrite> writes = new ArrayList<>();
    for (int u = 0; u < USER_COUNT; u++) {
      float[] values = new float[16];
      long[] refs = new long[20];
      for (int i = 0; i < values.length; i++) {
        values[i] = random.nextFloat();
      }
      for (int i = 0; i < refs.length; i++) {
        refs[i] = random.nextLong();
      }
      writes.add(new FeatureWrite("user-" + u, 0, FeatureVector.of(1, 1, System.currentTimeMillis(), values, refs)));
      if (writes.size() == 1000) {
        store.compareAndSetAll(USERS, writes);
        writes.clear();
      }
    }
    for (int b = 0; b < 64; b++) {
      List<String> ids = new ArrayList<>(BATCH);
      for (int i = 0; i < BATCH; i++) {
        ids.add("user-" + random.nextInt(USER_COUNT));
      }
      batches.add(ids);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
    server.close();
  }

  private List<String> nextBatch() {
    return batches.get(next++ & 63);
  }

  /** One call, one statement: {@code = ANY(?)}. */
  @Benchmark
  public void fetchMany200(Blackhole bh) {
    bh.consume(store.fetchMany(USERS, nextBatch()));
  }

  /** The same 200 ids, one call (and statement) each. */
  @Benchmark
  public void singleSelects200(Blackhole bh) {
    for (String id : nextBatch()) {
      bh.consume(store.fetchMany(USERS, List.of(id)));
    }
  }

  private static List<String> columns(int n) {
    List<String> c = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      c.add("f" + i);
    }
    return c;
  }
}
