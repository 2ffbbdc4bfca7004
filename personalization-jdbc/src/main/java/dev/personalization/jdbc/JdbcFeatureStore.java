package dev.personalization.jdbc;

import dev.personalization.Event;
import dev.personalization.feature.FeatureSchema;
import dev.personalization.feature.FeatureStore;
import dev.personalization.feature.FeatureVector;
import dev.personalization.feature.FeatureVectorCodec;
import dev.personalization.feature.FeatureVectorFormatException;
import dev.personalization.feature.FeatureWrite;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * A durable {@link FeatureStore} on JDBC (PostgreSQL or H2), over HikariCP pools and Jdbi.
 *
 * <pre>{@code
 * JdbcFeatureStore store = JdbcFeatureStore.builder()
 *     .primary(JdbcEndpoint.of("jdbc:postgresql://db-primary:5432/app", "app", secret))
 *     .addReplica(JdbcEndpoint.of("jdbc:postgresql://db-replica-1:5432/app", "app", secret))
 *     .pool(PoolSettings.forDatabaseCores(8))
 *     .meterRegistry(registry)
 *     .build();
 * PersonalizationEngine engine = PersonalizationEngine.builder().featureStore(store).build();
 * }</pre>
 * Without a server: {@link #embeddedH2()}.
 *
 * <h2>Tables</h2>
 * Created and migrated at {@link Builder#build()} on the primary (versioned, idempotent DDL; see
 * {@code <prefix>schema_version}): {@code user_features} and {@code item_features} (one row per id
 * and feature group: version column, vector in {@link FeatureVectorCodec} form; primary key
 * {@code (id, feature_type)}), {@code event_ids} (idempotency) and {@code events}, which on
 * PostgreSQL is partitioned by month of {@code occurred_at} (UTC) with a default partition.
 *
 * <h2>Reads and writes</h2>
 * <ul>
 *   <li>{@link #fetchMany} is one statement per call ({@code = ANY(?)} on PostgreSQL, an IN-list
 *       padded to a power of two, at most 512 ids per statement, on H2), sent to a healthy replica
 *       in turn, or to the primary when there are none.
 *   <li>Writes ({@link #compareAndSetAll}, {@link #appendNew}) and {@link #fetchManyLatest} always
 *       run on the primary. A compare-and-set is an upsert conditioned on the version column; a
 *       batch runs in one transaction, in id order so that concurrent writers do not deadlock.
 *   <li><b>Read-your-writes</b>: after this store writes an entity, its reads go to the primary
 *       until a replica has replayed that write (PostgreSQL: the replica's
 *       {@code pg_last_wal_replay_lsn()} has reached the primary's WAL position after the commit),
 *       or, on databases without WAL positions, for {@link Builder#readYourWritesWindow}. This holds
 *       per store instance; another process's writes become visible as replicas replay them.
 *   <li>{@link #inTransaction}: the engine's ingest runs the event append and the feature
 *       compare-and-sets of one batch in one transaction on the primary, so that a failure in
 *       between leaves neither logged events nor written features behind.
 *   <li>{@link #primaryReads()} forces the primary for every read.
 *   <li>Replicas are probed every {@link Builder#replicaProbeInterval}; one that fails a probe or a
 *       read is taken out of rotation (the read is retried elsewhere) and put back when a probe
 *       answers. With every replica down, reads go to the primary.
 * </ul>
 *
 * <h2>Failures</h2>
 * An unreachable database surfaces as {@link StoreUnavailableException} (after at most the pool's
 * connection timeout), other statement failures as {@link JdbcStoreException}; nothing is retried
 * silently except a replica read (moved to another endpoint) and a batch the database aborted to
 * break a deadlock (reported as lost compare-and-sets, which callers retry). Ids are always bind
 * parameters; null, over-long (more than 256 characters) or control-character ids are rejected
 * with {@link IllegalArgumentException}.
 *
 * <h2>Observability</h2>
 * Meters in the configured registry: HikariCP's {@code hikaricp.*} per pool
 * ({@code pool=personalization-primary}, {@code personalization-replica-N}),
 * {@code personalization.jdbc.statements} (timer), {@code .statements.slow}, {@code .statements.failed},
 * {@code .reads}, {@code .endpoint.up} (tag {@code endpoint}), {@code .reads.primary_for_consistency},
 * {@code .read_your_writes.tracked}. Statements slower than {@link Builder#slowQueryThreshold}
 * are logged (logger {@code dev.personalization.jdbc.SlowQueryLog}) with their SQL shape.
 *
 * <p>Thread-safe. {@link #close()} stops the maintenance threads and closes the pools.
 */
public final class JdbcFeatureStore implements FeatureStore {

  private static final System.Logger LOG = System.getLogger(JdbcFeatureStore.class.getName());

  /** Table name prefix: tables are {@code pz_user_features}, {@code pz_events}, ... */
  public static final String DEFAULT_TABLE_PREFIX = "pz_";
  /** Statements at least this slow are logged and counted. */
  public static final Duration DEFAULT_SLOW_QUERY_THRESHOLD = Duration.ofMillis(50);
  /** How often replicas (health, replay position) and the primary (health) are probed. */
  public static final Duration DEFAULT_REPLICA_PROBE_INTERVAL = Duration.ofMillis(200);
  /** How long a read waits for a replica connection before moving on to another endpoint. */
  public static final Duration DEFAULT_REPLICA_FAILOVER_TIMEOUT = Duration.ofSeconds(1);
  /** On databases without WAL positions: how long reads of a written entity stay on the primary. */
  public static final Duration DEFAULT_READ_YOUR_WRITES_WINDOW = Duration.ofSeconds(5);
  /** Entities tracked for read-your-writes before they fold into one store-wide floor. */
  public static final int DEFAULT_MAX_TRACKED_WRITES = 100_000;
  /** Monthly event partitions kept ready beyond the current month (PostgreSQL). */
  public static final int DEFAULT_PARTITION_MONTHS_AHEAD = 3;
  /** How often partition maintenance runs (PostgreSQL); it also runs once at start. */
  public static final Duration DEFAULT_PARTITION_MAINTENANCE_INTERVAL = Duration.ofHours(1);

  private static final AtomicInteger EMBEDDED = new AtomicInteger();
  /** Runs of an {@link #inTransaction} unit before a conflict is reported. */
  static final int MAX_TRANSACTION_ATTEMPTS = 8;

  private final Dialect dialect;
  private final Tables tables;
  private final Endpoint primary;
  private final List<Endpoint> replicas;
  private final ReadYourWrites fence;
  private final long windowNanos;
  private final EventLog eventLog;
  private final PartitionMaintainer maintainer;
  private final InstantSource clock;
  private final MeterRegistry registry;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Counter consistencyReads;
  private final boolean shutdownOnClose;
  private final AtomicInteger nextReplica = new AtomicInteger();
  private final FeatureStore primaryView = new PrimaryReads();
  private volatile boolean closed;

  private JdbcFeatureStore(Builder b, Dialect dialect, Endpoint primary, List<Endpoint> replicas, MeterRegistry registry) {
    this.dialect = dialect;
    this.tables = new Tables(b.tablePrefix);
    this.primary = primary;
    this.replicas = List.copyOf(replicas);
    this.registry = registry;
    this.clock = b.clock;
    this.windowNanos = b.readYourWritesWindow.toNanos();
    this.fence = new ReadYourWrites(b.maxTrackedWrites, System.nanoTime());
    this.eventLog = new EventLog(dialect, tables);
    this.maintainer = dialect == Dialect.POSTGRESQL ? new PartitionMaintainer(tables, b.partitionMonthsAhead) : null;
    this.shutdownOnClose = b.shutdownOnClose;
    this.consistencyReads = Counter.builder("personalization.jdbc.reads.primary_for_consistency")
        .description("Reads sent to the primary because no replica had replayed the entity's last write").register(registry);
    Gauge.builder("personalization.jdbc.read_your_writes.tracked", fence, ReadYourWrites::size)
        .description("Entities whose recent writes replicas have not replayed yet").register(registry);
    this.scheduler = new ScheduledThreadPoolExecutor(replicas.size() + 2, r -> {
      Thread t = new Thread(r, "personalization-jdbc-maintenance");
      t.setDaemon(true);
      return t;
    });
    scheduler.setRemoveOnCancelPolicy(true);
  }

  /** A builder; {@link Builder#primary} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A store on a private in-memory H2 database, created now and dropped by {@link #close()}: the
   * zero-install default for demos and tests. Nothing survives the process.
   */
  public static JdbcFeatureStore embeddedH2() {
    return builder().primary(JdbcEndpoint.of("jdbc:h2:mem:personalization-" + EMBEDDED.incrementAndGet() + "-" + UUID.randomUUID()
        + ";DB_CLOSE_DELAY=-1")).shutdownOnClose().build();
  }

  /**
   * A store on an H2 database file at {@code file} (H2 adds {@code .mv.db}), created if absent:
   * durable across restarts, no server. One process at a time may open it.
   */
  public static JdbcFeatureStore embeddedH2(Path file) {
    Objects.requireNonNull(file, "file");
    return builder().primary(JdbcEndpoint.of("jdbc:h2:file:" + file.toAbsolutePath())).shutdownOnClose().build();
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Map<String, FeatureVector> fetchMany(FeatureSchema schema, Collection<String> ids) {
    return read(schema, ids, false);
  }

  /** Reads from the primary: what a writer must see before a compare-and-set. */
  @Override
  public Map<String, FeatureVector> fetchManyLatest(FeatureSchema schema, Collection<String> ids) {
    return read(schema, ids, true);
  }

  /**
   * A view of this store whose reads all go to the primary (writes are the same as this store's),
   * for callers that must not read a replica at all. Closing the view closes this store.
   */
  public FeatureStore primaryReads() {
    return primaryView;
  }

  private Map<String, FeatureVector> read(FeatureSchema schema, Collection<String> ids, boolean primaryOnly) {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(ids, "ids");
    checkOpen();
    FeatureTable table = table(schema);
    List<String> unique = uniqueIds(ids);
    if (unique.isEmpty()) {
      return new HashMap<>();
    }
    List<Endpoint> failed = new ArrayList<>(1);
    while (true) {
      Endpoint target = primaryOnly ? primary : chooseRead(schema.entity(), unique, failed);
      try {
        Map<String, FeatureVector> found = fetchOn(target, table, schema.group(), unique);
        target.reads.increment();
        if (target.primary) {
          target.markUp();
        }
        return found;
      } catch (RuntimeException e) {
        RuntimeException t = target.translate("fetchMany of group " + schema.group(), e);
        if (target.primary || !(t instanceof StoreUnavailableException)) {
          throw t;
        }
        // A replica failed: it is out of rotation now; the read moves to another endpoint.
        failed.add(target);
      }
    }
  }

  private Endpoint chooseRead(String entity, List<String> ids, List<Endpoint> failed) {
    if (replicas.isEmpty()) {
      return primary;
    }
    ReadYourWrites.Requirement need = fence.required(entity, ids);
    if (!need.primaryOnlyAt(System.nanoTime())) {
      int n = replicas.size();
      int start = Math.floorMod(nextReplica.getAndIncrement(), n);
      boolean healthyButBehind = false;
      for (int i = 0; i < n; i++) {
        Endpoint r = replicas.get((start + i) % n);
        if (!r.isUp() || failed.contains(r)) {
          continue;
        }
        if (r.replayPosition() >= need.position()) {
          return r;
        }
        healthyButBehind = true;
      }
      if (!healthyButBehind) {
        return primary;
      }
    }
    consistencyReads.increment();
    if (!primary.isUp()) {
      throw new StoreUnavailableException(primary.name, "reads of " + entity + " '" + ids.get(0) + "' must see its recent write,"
          + " but no replica has replayed it yet and " + primary.name + " is unavailable: " + primary.lastFailure(), null);
    }
    return primary;
  }

  private Map<String, FeatureVector> fetchOn(Endpoint endpoint, FeatureTable table, String group, List<String> ids) {
    try (Handle h = endpoint.jdbi.open()) {
      return fetchWith(h, table, group, ids);
    }
  }

  private Map<String, FeatureVector> fetchWith(Handle h, FeatureTable table, String group, List<String> ids) {
    Map<String, FeatureVector> found = new HashMap<>(ids.size() * 2);
    int max = dialect.maxIdsPerStatement();
    for (int from = 0; from < ids.size(); from += max) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + max));
      var query = dialect == Dialect.POSTGRESQL
          ? h.createQuery(dialect.fetchSql(table.name, table.idColumn, chunk.size())).bind(0, group)
              .bind(1, new SqlArray("varchar", chunk.toArray(new String[0])))
          : bindPadded(h.createQuery(dialect.fetchSql(table.name, table.idColumn, Dialect.paddedSize(chunk.size()))).bind(0, group),
              chunk);
      // One pass over the JDBC result set: no row mapper or iterator per row.
      query.scanResultSet((results, ctx) -> {
        ResultSet rs = results.get();
        while (rs.next()) {
          String id = rs.getString(1);
          found.put(id, decode(group, id, rs.getBytes(2)));
        }
        return null;
      });
    }
    return found;
  }

  private static org.jdbi.v3.core.statement.Query bindPadded(org.jdbi.v3.core.statement.Query q, List<String> ids) {
    int padded = Dialect.paddedSize(ids.size());
    for (int i = 0; i < padded; i++) {
      // Padding repeats the last id: the same rows, and few distinct statement shapes.
      q.bind(1 + i, ids.get(Math.min(i, ids.size() - 1)));
    }
    return q;
  }

  private static FeatureVector decode(String group, String id, byte[] bytes) {
    try {
      return FeatureVectorCodec.decode(bytes);
    } catch (FeatureVectorFormatException e) {
      throw new FeatureVectorFormatException("stored vector of group " + group + " for '" + id + "' is unreadable: " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- writes

  @Override
  public boolean compareAndSet(FeatureSchema schema, String id, long expectedVersion, FeatureVector value) {
    Objects.requireNonNull(id, "id");
    return compareAndSetAll(schema, List.of(new FeatureWrite(id, expectedVersion, value))).contains(id);
  }

  /**
   * Runs the compare-and-sets on the primary in one transaction (inserts for expected version 0,
   * version-conditioned updates otherwise, in id order). A batch the database aborts to resolve a
   * deadlock or lock timeout reports every write as lost, for the caller to retry.
   *
   * @throws StoreUnavailableException when the primary cannot be reached
   * @throws IllegalArgumentException for a bad id, two writes of one id, or an oversize vector
   */
  @Override
  public Set<String> compareAndSetAll(FeatureSchema schema, List<FeatureWrite> writes) {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(writes, "writes");
    checkOpen();
    FeatureTable table = table(schema);
    if (writes.isEmpty()) {
      return new LinkedHashSet<>();
    }
    List<FeatureWrite> sorted = sortedWrites(schema, writes);
    List<byte[]> encoded = encode(schema, sorted);
    Set<String> won;
    long position = ReadYourWrites.NO_POSITION;
    try (Handle h = primary.jdbi.open()) {
      won = h.inTransaction(tx -> casBatch(tx, table, schema.group(), sorted, encoded));
      if (!replicas.isEmpty() && !won.isEmpty() && dialect.hasWalPositions()) {
        position = walPositionAfterCommit(h);
      }
    } catch (RuntimeException e) {
      if (Endpoint.isConflict(e) && !Endpoint.isConnectionFailure(e)) {
        return new LinkedHashSet<>();
      }
      throw primary.translate("compareAndSet of " + sorted.size() + " " + schema.entity() + "(s) in group " + schema.group(), e);
    }
    primary.markUp();
    recordWrites(schema.entity(), won, position);
    return won;
  }

  /** Read-your-writes bookkeeping after a commit on the primary that wrote {@code ids}. */
  private void recordWrites(String entity, Set<String> ids, long position) {
    if (!replicas.isEmpty() && !ids.isEmpty()) {
      long now = System.nanoTime();
      if (position != ReadYourWrites.NO_POSITION) {
        fence.recordWrite(entity, ids, position, now);
      } else {
        fence.recordWrite(entity, ids, ReadYourWrites.NO_POSITION, now + windowNanos);
      }
    }
  }

  /** Validated writes in id order, the order every writer locks rows in. */
  private static List<FeatureWrite> sortedWrites(FeatureSchema schema, List<FeatureWrite> writes) {
    List<FeatureWrite> sorted = new ArrayList<>(writes.size());
    Set<String> seen = new java.util.HashSet<>();
    for (FeatureWrite w : writes) {
      Objects.requireNonNull(w, "write");
      checkId(w.id(), schema.entity() + " id");
      if (!seen.add(w.id())) {
        throw new IllegalArgumentException("two writes for '" + w.id() + "' of group " + schema.group() + " in one batch");
      }
      sorted.add(w);
    }
    sorted.sort(Comparator.comparing(FeatureWrite::id));
    return sorted;
  }

  private static List<byte[]> encode(FeatureSchema schema, List<FeatureWrite> sorted) {
    List<byte[]> encoded = new ArrayList<>(sorted.size());
    for (FeatureWrite w : sorted) {
      try {
        encoded.add(FeatureVectorCodec.encode(w.value()));
      } catch (FeatureVectorFormatException e) {
        throw new IllegalArgumentException("vector of group " + schema.group() + " for '" + w.id() + "': " + e.getMessage(), e);
      }
    }
    return encoded;
  }

  private Set<String> casBatch(Handle h, FeatureTable table, String group, List<FeatureWrite> sorted, List<byte[]> encoded) {
    PreparedBatch inserts = null;
    PreparedBatch updates = null;
    List<String> insertIds = new ArrayList<>();
    List<String> updateIds = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      FeatureWrite w = sorted.get(i);
      byte[] vector = encoded.get(i);
      if (w.expectedVersion() == 0) {
        if (inserts == null) {
          inserts = h.prepareBatch(dialect.insertIfAbsentSql(table.name, table.idColumn));
        }
        inserts.bind(0, w.id()).bind(1, group).bind(2, w.value().version()).bind(3, vector).add();
        insertIds.add(w.id());
      } else {
        if (updates == null) {
          updates = h.prepareBatch(dialect.updateIfVersionSql(table.name, table.idColumn));
        }
        updates.bind(0, w.value().version()).bind(1, vector).bind(2, w.id()).bind(3, group).bind(4, w.expectedVersion()).add();
        updateIds.add(w.id());
      }
    }
    Set<String> won = new LinkedHashSet<>();
    if (inserts != null) {
      collect(inserts.execute(), insertIds, won);
    }
    if (updates != null) {
      collect(updates.execute(), updateIds, won);
    }
    return won;
  }

  private static void collect(int[] counts, List<String> ids, Set<String> won) {
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > 0) {
        won.add(ids.get(i));
      }
    }
  }

  /** The primary's WAL insert position, read after the commit: at or past the commit record. */
  private long walPositionAfterCommit(Handle h) {
    try {
      return h.createQuery("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint").mapTo(Long.class).one();
    } catch (RuntimeException e) {
      // The write committed; without its position, the entity stays on the primary for the window.
      LOG.log(System.Logger.Level.WARNING, "could not read the WAL position after a commit: " + Endpoint.rootMessage(e));
      return ReadYourWrites.NO_POSITION;
    }
  }

  /**
   * Appends events to the durable log on the primary in one transaction, idempotently by event id,
   * and returns after the commit.
   *
   * @throws StoreUnavailableException when the primary cannot confirm the append; nothing of the
   *     batch is then known to be logged, and retrying is safe
   * @throws IllegalArgumentException naming the event and field for a null or over-long field
   */
  @Override
  public List<Event> appendNew(List<Event> events) {
    Objects.requireNonNull(events, "events");
    checkOpen();
    List<Event> batch = uniqueEvents(events);
    if (batch.isEmpty()) {
      return new ArrayList<>();
    }
    Set<String> fresh;
    for (int attempt = 1; ; attempt++) {
      try {
        fresh = primary.jdbi.inTransaction(h -> eventLog.append(h, batch));
        break;
      } catch (RuntimeException e) {
        if (attempt < 5 && Endpoint.isConflict(e) && !Endpoint.isConnectionFailure(e)) {
          // A concurrent append of the same ids won a race; the retry sees its ids as duplicates.
          continue;
        }
        RuntimeException t = primary.translate("appending " + batch.size() + " events", e);
        if (t instanceof StoreUnavailableException) {
          throw new StoreUnavailableException(primary.name, "the event log could not confirm appending " + batch.size()
              + " events: " + primary.name + " is unavailable (" + Endpoint.rootMessage(e)
              + "); retrying is safe, appends are idempotent by event id", e);
        }
        throw t;
      }
    }
    primary.markUp();
    return inInputOrder(events, fresh);
  }

  private static List<Event> uniqueEvents(List<Event> events) {
    Map<String, Event> unique = new LinkedHashMap<>();
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      checkEvent(e, i);
      unique.putIfAbsent(e.id(), e);
    }
    return new ArrayList<>(unique.values());
  }

  private static List<Event> inInputOrder(List<Event> events, Set<String> fresh) {
    List<Event> appended = new ArrayList<>(fresh.size());
    for (Event e : events) {
      if (fresh.remove(e.id())) {
        appended.add(e);
      }
    }
    return appended;
  }

  /**
   * Runs {@code work} in one transaction on the primary: the events it appends and the
   * compare-and-sets it makes on the store it is handed commit together or not at all, and its
   * {@code fetchManyLatest} reads see the transaction's own writes. A transaction the database
   * aborts to break a deadlock or lock wait, or that loses a race on a unique key, is rolled back
   * and {@code work} runs again (at most {@value #MAX_TRANSACTION_ATTEMPTS} times); rows are locked
   * in id order within each group, so that such aborts stay rare.
   *
   * @throws StoreUnavailableException when the primary cannot be reached or cannot confirm the
   *     commit; nothing of the unit is then known to be committed, and retrying is safe (appends are
   *     idempotent by event id)
   */
  @Override
  public <T> T inTransaction(Function<FeatureStore, T> work) {
    Objects.requireNonNull(work, "work");
    checkOpen();
    for (int attempt = 1; ; attempt++) {
      Map<String, Set<String>> written = new HashMap<>();
      long position = ReadYourWrites.NO_POSITION;
      T result;
      try (Handle h = primary.jdbi.open()) {
        result = h.inTransaction(tx -> {
          Unit unit = new Unit(tx, written);
          try {
            return work.apply(unit);
          } finally {
            unit.open = false;
          }
        });
        if (!replicas.isEmpty() && !written.isEmpty() && dialect.hasWalPositions()) {
          position = walPositionAfterCommit(h);
        }
      } catch (RuntimeException e) {
        if (attempt < MAX_TRANSACTION_ATTEMPTS && Endpoint.isConflict(e) && !Endpoint.isConnectionFailure(e)) {
          pauseBeforeRetry(attempt);
          continue;
        }
        if (Endpoint.find(e, SQLException.class) == null && !(e instanceof org.jdbi.v3.core.JdbiException)) {
          throw e; // the work's own failure (a bad argument, an updater giving up): already rolled back
        }
        RuntimeException t = primary.translate("ingest transaction", e);
        if (t instanceof StoreUnavailableException) {
          throw new StoreUnavailableException(primary.name, "the ingest transaction could not commit: " + primary.name
              + " is unavailable (" + Endpoint.rootMessage(e) + "); retrying is safe, appends are idempotent by event id", e);
        }
        throw t;
      }
      primary.markUp();
      for (Map.Entry<String, Set<String>> w : written.entrySet()) {
        recordWrites(w.getKey(), w.getValue(), position);
      }
      return result;
    }
  }

  private static void pauseBeforeRetry(int attempt) {
    try {
      Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << Math.min(attempt, 5)) + 1);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new JdbcStoreException("primary", "interrupted while retrying an ingest transaction", ie);
    }
  }

  /** The store handed to {@link #inTransaction} work: every call on the unit's transaction. */
  private final class Unit implements FeatureStore {
    private final Handle tx;
    private final Map<String, Set<String>> written;
    private boolean open = true;

    Unit(Handle tx, Map<String, Set<String>> written) {
      this.tx = tx;
      this.written = written;
    }

    private void checkUnit() {
      if (!open) {
        throw new IllegalStateException("the store handed to inTransaction is used outside its work");
      }
    }

    @Override
    public Map<String, FeatureVector> fetchMany(FeatureSchema schema, Collection<String> ids) {
      return fetchManyLatest(schema, ids);
    }

    @Override
    public Map<String, FeatureVector> fetchManyLatest(FeatureSchema schema, Collection<String> ids) {
      Objects.requireNonNull(schema, "schema");
      Objects.requireNonNull(ids, "ids");
      checkUnit();
      List<String> unique = uniqueIds(ids);
      return unique.isEmpty() ? new HashMap<>() : fetchWith(tx, table(schema), schema.group(), unique);
    }

    @Override
    public boolean compareAndSet(FeatureSchema schema, String id, long expectedVersion, FeatureVector value) {
      Objects.requireNonNull(id, "id");
      return compareAndSetAll(schema, List.of(new FeatureWrite(id, expectedVersion, value))).contains(id);
    }

    @Override
    public Set<String> compareAndSetAll(FeatureSchema schema, List<FeatureWrite> writes) {
      Objects.requireNonNull(schema, "schema");
      Objects.requireNonNull(writes, "writes");
      checkUnit();
      FeatureTable table = table(schema);
      if (writes.isEmpty()) {
        return new LinkedHashSet<>();
      }
      List<FeatureWrite> sorted = sortedWrites(schema, writes);
      // A conflict here aborts the whole unit (PostgreSQL cannot continue the transaction), which
      // inTransaction then runs again.
      Set<String> won = casBatch(tx, table, schema.group(), sorted, encode(schema, sorted));
      written.computeIfAbsent(schema.entity(), k -> new java.util.HashSet<>()).addAll(won);
      return won;
    }

    @Override
    public List<Event> appendNew(List<Event> events) {
      Objects.requireNonNull(events, "events");
      checkUnit();
      List<Event> batch = uniqueEvents(events);
      return batch.isEmpty() ? new ArrayList<>() : inInputOrder(events, eventLog.append(tx, batch));
    }

    @Override
    public <T> T inTransaction(Function<FeatureStore, T> work) {
      checkUnit();
      return work.apply(this);
    }

    @Override
    public void close() {
      // The unit belongs to its transaction; closing it closes nothing.
    }
  }

  // ---------------------------------------------------------------- maintenance

  /**
   * Creates missing monthly event partitions (the current month, the configured months ahead, and
   * months that have events waiting in the default partition) and moves those events into them.
   * Runs at start and every {@link Builder#partitionMaintenanceInterval}; safe to call any time,
   * from any number of instances. On H2, which has no partitions, does nothing.
   */
  public PartitionMaintenance maintainPartitions() {
    checkOpen();
    if (maintainer == null) {
      return PartitionMaintenance.none();
    }
    try {
      return maintainer.run(primary.jdbi, YearMonth.from(clock.instant().atZone(ZoneOffset.UTC)));
    } catch (RuntimeException e) {
      throw primary.translate("partition maintenance", e);
    }
  }

  /** The registry holding the store's and its pools' meters. */
  public MeterRegistry meterRegistry() {
    return registry;
  }

  /** The store schema version this library maintains. */
  public static int schemaVersion() {
    return SchemaMigrator.CURRENT_VERSION;
  }

  /** Stops the probes and the maintainer and closes every pool. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    scheduler.shutdownNow();
    if (shutdownOnClose) {
      try (Connection c = primary.pool.getConnection()) {
        c.createStatement().execute("SHUTDOWN");
      } catch (SQLException | RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "embedded database shutdown: " + e);
      }
    }
    for (Endpoint r : replicas) {
      r.close();
    }
    primary.close();
  }

  @Override
  public String toString() {
    return "JdbcFeatureStore{" + dialect + ", primary, " + replicas.size() + " replica(s), tables " + tables.prefix() + "*}";
  }

  // ---------------------------------------------------------------- for tests in this package

  Dialect dialect() {
    return dialect;
  }

  Tables tables() {
    return tables;
  }

  Endpoint primaryEndpoint() {
    return primary;
  }

  List<Endpoint> replicaEndpoints() {
    return replicas;
  }

  Jdbi primaryJdbi() {
    return primary.jdbi;
  }

  /** Entities whose writes some replica has not replayed yet. */
  int trackedWrites() {
    return fence.size();
  }

  /** Probes every endpoint once, now (the scheduler does the same every probe interval). */
  void probeNow() {
    probe(primary);
    for (Endpoint r : replicas) {
      probe(r);
    }
    pruneFence();
  }

  // ---------------------------------------------------------------- internals

  private void start(Builder b) {
    long probeMillis = b.replicaProbeInterval.toMillis();
    if (!replicas.isEmpty()) {
      // The primary's health matters for routing only: a read that must see a recent write fails fast while it is down.
      scheduler.scheduleWithFixedDelay(() -> probe(primary), probeMillis, probeMillis, TimeUnit.MILLISECONDS);
    }
    for (Endpoint r : replicas) {
      // The first probe now: replicas start out of rotation until they answer.
      scheduler.scheduleWithFixedDelay(() -> {
        probe(r);
        pruneFence();
      }, 0, probeMillis, TimeUnit.MILLISECONDS);
    }
    if (maintainer != null) {
      long every = b.partitionMaintenanceInterval.toMillis();
      scheduler.scheduleWithFixedDelay(this::scheduledMaintenance, every, every, TimeUnit.MILLISECONDS);
    }
  }

  private void probe(Endpoint e) {
    try (Handle h = e.jdbi.open()) {
      if (!e.primary && dialect.hasWalPositions()) {
        // -1 when the server is not in recovery: not a streaming replica, so no read-your-writes guarantee.
        long position = h.createQuery("SELECT CASE WHEN pg_is_in_recovery() THEN"
            + " COALESCE((pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint, -1) ELSE -1 END").mapTo(Long.class).one();
        e.probed(position);
      } else {
        h.createQuery("SELECT 1").mapTo(Integer.class).one();
        e.markUp();
      }
    } catch (RuntimeException ex) {
      e.markDown(Endpoint.rootMessage(ex));
    }
  }

  private void pruneFence() {
    long min = Long.MAX_VALUE;
    for (Endpoint r : replicas) {
      min = Math.min(min, r.replayPosition());
    }
    fence.prune(min, System.nanoTime());
  }

  private void scheduledMaintenance() {
    try {
      PartitionMaintenance m = maintainPartitions();
      if (!m.created().isEmpty()) {
        LOG.log(System.Logger.Level.INFO, "event partitions created: " + m.created() + ", events moved from the default partition: "
            + m.movedFromDefault());
      }
    } catch (RuntimeException e) {
      Counter.builder("personalization.jdbc.partition_maintenance.failures").register(registry).increment();
      LOG.log(System.Logger.Level.WARNING, "partition maintenance failed; retried at the next run", e);
    }
  }

  private FeatureTable table(FeatureSchema schema) {
    switch (schema.entity()) {
      case "user":
        return new FeatureTable(tables.userFeatures(), "user_id");
      case "item":
        return new FeatureTable(tables.itemFeatures(), "item_id");
      default:
        throw new IllegalArgumentException("the JDBC store keeps entities 'user' and 'item'; group " + schema.group()
            + " describes '" + schema.entity() + "'");
    }
  }

  /**
   * The distinct ids, validated, in ascending {@link String} order. PostgreSQL sorts and
   * de-duplicates an {@code = ANY} array before it probes the index, and its sort returns after one
   * pass over input that is already in order: in the C collation (and, for ids of letters, digits and
   * separators, in most others) the order here is the server's, so a read of many ids spares the
   * server that sort (about a tenth of its CPU for 200 ids), moving it to the caller, which scales
   * out more easily than the database. Where the orders differ the server sorts as before; results
   * never depend on the order. Messages name an invalid id by its index in {@code ids}.
   */
  private static List<String> uniqueIds(Collection<String> ids) {
    String[] sorted = ids.toArray(new String[0]);
    for (int i = 0; i < sorted.length; i++) {
      if (!isValidId(sorted[i])) {
        checkId(sorted[i], "id at index " + i);
      }
    }
    if (sorted.length > 1) {
      Arrays.sort(sorted);
    }
    int n = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (n == 0 || !sorted[i].equals(sorted[n - 1])) {
        sorted[n++] = sorted[i];
      }
    }
    return Arrays.asList(n == sorted.length ? sorted : Arrays.copyOf(sorted, n));
  }

  /** {@link #checkId}'s rules without building a message: the check every read id goes through. */
  private static boolean isValidId(String id) {
    if (id == null || id.isEmpty() || id.length() > Dialect.MAX_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      if (Character.isISOControl(id.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Ids are bound, never concatenated; this check is about clear errors, not about injection. */
  static void checkId(String id, String what) {
    if (id == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    if (id.isEmpty()) {
      throw new IllegalArgumentException(what + " is empty");
    }
    if (id.length() > Dialect.MAX_ID_LENGTH) {
      throw new IllegalArgumentException(what + " has " + id.length() + " characters; the store keeps ids of at most "
          + Dialect.MAX_ID_LENGTH);
    }
    for (int i = 0; i < id.length(); i++) {
      if (Character.isISOControl(id.charAt(i))) {
        throw new IllegalArgumentException(what + " contains a control character at index " + i);
      }
    }
  }

  private static void checkEvent(Event e, int index) {
    if (e == null) {
      throw new IllegalArgumentException("event at index " + index + " is null");
    }
    String name = "event '" + (e.id() == null ? "<index " + index + ">" : e.id()) + "'";
    checkId(e.id(), name + " id");
    checkId(e.userId(), name + " userId");
    checkId(e.itemId(), name + " itemId");
    checkLength(e.type(), Dialect.MAX_GROUP_LENGTH, name + " type", false);
    if (e.timestamp() == null) {
      throw new IllegalArgumentException(name + " timestamp is null");
    }
    if (!Double.isFinite(e.weight())) {
      throw new IllegalArgumentException(name + " weight is " + e.weight());
    }
    checkLength(e.category(), Dialect.MAX_ID_LENGTH, name + " category", true);
    checkLength(e.scenario(), Dialect.MAX_GROUP_LENGTH, name + " scenario", true);
  }

  private static void checkLength(String value, int max, String what, boolean nullable) {
    if (value == null) {
      if (!nullable) {
        throw new IllegalArgumentException(what + " is null");
      }
      return;
    }
    if (value.length() > max) {
      throw new IllegalArgumentException(what + " has " + value.length() + " characters; the store keeps at most " + max);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
  }

  private record FeatureTable(String name, String idColumn) {
  }

  /** {@link #primaryReads()}: every read on the primary. */
  private final class PrimaryReads implements FeatureStore {
    @Override
    public Map<String, FeatureVector> fetchMany(FeatureSchema schema, Collection<String> ids) {
      return read(schema, ids, true);
    }

    @Override
    public Map<String, FeatureVector> fetchManyLatest(FeatureSchema schema, Collection<String> ids) {
      return read(schema, ids, true);
    }

    @Override
    public boolean compareAndSet(FeatureSchema schema, String id, long expectedVersion, FeatureVector value) {
      return JdbcFeatureStore.this.compareAndSet(schema, id, expectedVersion, value);
    }

    @Override
    public Set<String> compareAndSetAll(FeatureSchema schema, List<FeatureWrite> writes) {
      return JdbcFeatureStore.this.compareAndSetAll(schema, writes);
    }

    @Override
    public List<Event> appendNew(List<Event> events) {
      return JdbcFeatureStore.this.appendNew(events);
    }

    @Override
    public <T> T inTransaction(Function<FeatureStore, T> work) {
      return JdbcFeatureStore.this.inTransaction(work);
    }

    @Override
    public void close() {
      JdbcFeatureStore.this.close();
    }

    @Override
    public String toString() {
      return JdbcFeatureStore.this + ".primaryReads()";
    }
  }

  /**
   * Configures a {@link JdbcFeatureStore}. Each option may be set once; {@link #addReplica} adds.
   * Not thread-safe.
   */
  public static final class Builder {
    private JdbcEndpoint primary;
    private final List<JdbcEndpoint> replicaEndpoints = new ArrayList<>();
    private PoolSettings pool;
    private Duration replicaFailoverTimeout;
    private Duration replicaProbeInterval;
    private Duration readYourWritesWindow;
    private int maxTrackedWrites;
    private Duration slowQueryThreshold;
    private MeterRegistry registry;
    private String tablePrefix;
    private int partitionMonthsAhead = -1;
    private Duration partitionMaintenanceInterval;
    private InstantSource clock;
    private boolean shutdownOnClose;

    private Builder() {
    }

    /** The database that takes every write (required). */
    public Builder primary(JdbcEndpoint endpoint) {
      once(this.primary, "primary");
      this.primary = Objects.requireNonNull(endpoint, "primary");
      return this;
    }

    /** Adds a read replica of the primary (streaming replication on PostgreSQL). Default: none. */
    public Builder addReplica(JdbcEndpoint endpoint) {
      replicaEndpoints.add(Objects.requireNonNull(endpoint, "replica"));
      return this;
    }

    /** Settings of every pool (default {@link PoolSettings#ofDefaults()}). */
    public Builder pool(PoolSettings settings) {
      once(this.pool, "pool");
      this.pool = Objects.requireNonNull(settings, "pool");
      return this;
    }

    /**
     * How long a read waits for a connection of a replica before trying another endpoint; the
     * replica pools' connection timeout (default 1 s).
     */
    public Builder replicaFailoverTimeout(Duration timeout) {
      once(this.replicaFailoverTimeout, "replicaFailoverTimeout");
      this.replicaFailoverTimeout = atLeast(timeout, Duration.ofMillis(250), "replicaFailoverTimeout");
      return this;
    }

    /** How often endpoints are probed (default 200 ms): bounds how soon replicas serve a written entity again. */
    public Builder replicaProbeInterval(Duration interval) {
      once(this.replicaProbeInterval, "replicaProbeInterval");
      this.replicaProbeInterval = atLeast(interval, Duration.ofMillis(10), "replicaProbeInterval");
      return this;
    }

    /** Where WAL positions are unavailable: how long reads of a written entity stay on the primary (default 5 s). */
    public Builder readYourWritesWindow(Duration window) {
      once(this.readYourWritesWindow, "readYourWritesWindow");
      this.readYourWritesWindow = atLeast(window, Duration.ofMillis(1), "readYourWritesWindow");
      return this;
    }

    /** Entities tracked for read-your-writes before they fold into a store-wide floor (default 100,000). */
    public Builder maxTrackedWrites(int max) {
      once(this.maxTrackedWrites == 0 ? null : this.maxTrackedWrites, "maxTrackedWrites");
      if (max < 1) {
        throw new IllegalArgumentException("maxTrackedWrites must be >= 1, was " + max);
      }
      this.maxTrackedWrites = max;
      return this;
    }

    /** Statements at least this slow are logged and counted (default 50 ms). */
    public Builder slowQueryThreshold(Duration threshold) {
      once(this.slowQueryThreshold, "slowQueryThreshold");
      this.slowQueryThreshold = atLeast(threshold, Duration.ZERO, "slowQueryThreshold");
      return this;
    }

    /** Where the store and its pools register meters (default: a private {@code SimpleMeterRegistry}). */
    public Builder meterRegistry(MeterRegistry registry) {
      once(this.registry, "meterRegistry");
      this.registry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /** Prefix of every table, {@code [a-z][a-z0-9_]{0,29}} (default {@value JdbcFeatureStore#DEFAULT_TABLE_PREFIX}). */
    public Builder tablePrefix(String prefix) {
      once(this.tablePrefix, "tablePrefix");
      this.tablePrefix = new Tables(Objects.requireNonNull(prefix, "tablePrefix")).prefix();
      return this;
    }

    /** Monthly event partitions created beyond the current month, 0..24 (default 3; PostgreSQL). */
    public Builder partitionMonthsAhead(int months) {
      once(this.partitionMonthsAhead < 0 ? null : this.partitionMonthsAhead, "partitionMonthsAhead");
      if (months < 0 || months > 24) {
        throw new IllegalArgumentException("partitionMonthsAhead must be in 0..24, was " + months);
      }
      this.partitionMonthsAhead = months;
      return this;
    }

    /** How often partition maintenance runs, at least 1 s (default 1 h; PostgreSQL). */
    public Builder partitionMaintenanceInterval(Duration interval) {
      once(this.partitionMaintenanceInterval, "partitionMaintenanceInterval");
      this.partitionMaintenanceInterval = atLeast(interval, Duration.ofSeconds(1), "partitionMaintenanceInterval");
      return this;
    }

    /** The clock that decides the current month for partitions (default the system clock). */
    public Builder clock(InstantSource clock) {
      once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Sends H2's {@code SHUTDOWN} on close: embedded databases only. */
    Builder shutdownOnClose() {
      this.shutdownOnClose = true;
      return this;
    }

    /**
     * Connects, creates or migrates the schema on the primary, creates the event partitions due
     * (PostgreSQL), and starts probing replicas.
     *
     * @throws IllegalStateException when no primary is set, or the database holds a newer schema
     * @throws StoreUnavailableException when the primary cannot be reached
     */
    public JdbcFeatureStore build() {
      if (primary == null) {
        throw new IllegalStateException("primary is not set");
      }
      pool = pool != null ? pool : PoolSettings.ofDefaults();
      replicaFailoverTimeout = replicaFailoverTimeout != null ? replicaFailoverTimeout : DEFAULT_REPLICA_FAILOVER_TIMEOUT;
      replicaProbeInterval = replicaProbeInterval != null ? replicaProbeInterval : DEFAULT_REPLICA_PROBE_INTERVAL;
      readYourWritesWindow = readYourWritesWindow != null ? readYourWritesWindow : DEFAULT_READ_YOUR_WRITES_WINDOW;
      maxTrackedWrites = maxTrackedWrites > 0 ? maxTrackedWrites : DEFAULT_MAX_TRACKED_WRITES;
      slowQueryThreshold = slowQueryThreshold != null ? slowQueryThreshold : DEFAULT_SLOW_QUERY_THRESHOLD;
      tablePrefix = tablePrefix != null ? tablePrefix : DEFAULT_TABLE_PREFIX;
      partitionMonthsAhead = partitionMonthsAhead >= 0 ? partitionMonthsAhead : DEFAULT_PARTITION_MONTHS_AHEAD;
      partitionMaintenanceInterval = partitionMaintenanceInterval != null ? partitionMaintenanceInterval
          : DEFAULT_PARTITION_MAINTENANCE_INTERVAL;
      clock = clock != null ? clock : InstantSource.system();
      MeterRegistry meters = registry != null ? registry : new SimpleMeterRegistry();

      Dialect dialect = detect(primary);
      Endpoint primaryEndpoint = Endpoint.open("primary", true, primary, dialect, pool, pool.connectionTimeout(),
          slowQueryThreshold, meters);
      List<Endpoint> replicas = new ArrayList<>();
      try {
        SchemaMigrator.migrate(primaryEndpoint.jdbi, dialect, new Tables(tablePrefix));
        for (int i = 0; i < replicaEndpoints.size(); i++) {
          replicas.add(Endpoint.open("replica-" + (i + 1), false, replicaEndpoints.get(i), dialect, pool, replicaFailoverTimeout,
              slowQueryThreshold, meters));
        }
        JdbcFeatureStore store = new JdbcFeatureStore(this, dialect, primaryEndpoint, replicas, meters);
        store.maintainPartitions();
        store.start(this);
        return store;
      } catch (RuntimeException e) {
        replicas.forEach(Endpoint::close);
        primaryEndpoint.close();
        throw e instanceof JdbcStoreException || e instanceof IllegalStateException ? e : primaryEndpoint.translate("start", e);
      }
    }

    private static Dialect detect(JdbcEndpoint endpoint) {
      if (endpoint.jdbcUrl() != null) {
        if (endpoint.jdbcUrl().startsWith("jdbc:postgresql:")) {
          return Dialect.POSTGRESQL;
        }
        if (endpoint.jdbcUrl().startsWith("jdbc:h2:")) {
          return Dialect.H2;
        }
        throw new IllegalStateException("unsupported JDBC URL '" + endpoint.jdbcUrl() + "': the store runs on PostgreSQL and H2");
      }
      try (Connection c = endpoint.dataSource().getConnection()) {
        return Dialect.of(c.getMetaData().getDatabaseProductName());
      } catch (SQLException e) {
        throw new StoreUnavailableException("primary", "primary cannot be reached at start: " + e.getMessage(), e);
      }
    }

    private static void once(Object current, String option) {
      if (current != null) {
        throw new IllegalStateException(option + " is already set");
      }
    }

    private static Duration atLeast(Duration value, Duration min, String name) {
      Objects.requireNonNull(value, name);
      if (value.compareTo(min) < 0) {
        throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
      }
      return value;
    }
  }
}
