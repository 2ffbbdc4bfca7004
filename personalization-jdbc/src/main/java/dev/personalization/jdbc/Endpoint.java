package dev.personalization.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Properties;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;

/**
 * One database server: its HikariCP pool, its Jdbi, and what the store knows of its health and, for
 * a PostgreSQL replica, how far it has replayed the primary's WAL.
 */
final class Endpoint implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(Endpoint.class.getName());

  final String name;
  final boolean primary;
  final Dialect dialect;
  final HikariDataSource pool;
  final Jdbi jdbi;
  final Counter reads;
  private final Duration statementTimeout;
  private volatile boolean up = true;
  private volatile long replayPosition = ReadYourWrites.NO_POSITION;
  private volatile String lastFailure;

  private Endpoint(String name, boolean primary, Dialect dialect, HikariDataSource pool, Duration slowThreshold,
      Duration statementTimeout, MeterRegistry registry) {
    this.name = name;
    this.primary = primary;
    this.dialect = dialect;
    this.pool = pool;
    this.statementTimeout = statementTimeout;
    this.jdbi = Jdbi.create(pool);
    jdbi.getConfig(SqlStatements.class).setSqlLogger(new StatementObserver(name, slowThreshold, registry));
    this.reads = Counter.builder("personalization.jdbc.reads").description("fetchMany calls served, by endpoint")
        .tag("endpoint", name).register(registry);
    Gauge.builder("personalization.jdbc.endpoint.up", this, e -> e.up ? 1 : 0).description("1 while the endpoint answers probes")
        .tag("endpoint", name).register(registry);
  }

  /**
   * Opens the pool. The primary's pool must reach the database now; a replica's pool starts empty
   * and the replica counts as down until its first probe answers.
   *
   * @param connectionTimeout how long a caller waits for a connection of this pool
   */
  static Endpoint open(String name, boolean primary, JdbcEndpoint config, Dialect dialect, PoolSettings settings,
      Duration connectionTimeout, Duration slowThreshold, MeterRegistry registry) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("personalization-" + name);
    if (config.dataSource() != null) {
      hc.setDataSource(config.dataSource());
    } else {
      hc.setJdbcUrl(config.jdbcUrl());
      if (config.username() != null) {
        hc.setUsername(config.username());
      }
      if (config.password() != null) {
        hc.setPassword(config.password());
      }
      Properties props = config.properties();
      if (dialect == Dialect.POSTGRESQL) {
        // Bound every wait on the network, so that a hung server surfaces as an error, not a hang.
        props.putIfAbsent("connectTimeout", Long.toString(Math.max(1, connectionTimeout.toSeconds())));
        props.putIfAbsent("socketTimeout", Long.toString(settings.statementTimeout().toSeconds() + 5));
        props.putIfAbsent("tcpKeepAlive", "true");
        props.putIfAbsent("ApplicationName", "personalization-" + name);
      }
      hc.setDataSourceProperties(props);
    }
    hc.setMinimumIdle(settings.minimumIdle());
    hc.setMaximumPoolSize(settings.maximumPoolSize());
    hc.setConnectionTimeout(connectionTimeout.toMillis());
    hc.setValidationTimeout(Math.min(connectionTimeout.toMillis(), 5_000));
    // A fixed-size pool never retires idle connections; HikariCP warns when given a timeout for it.
    hc.setIdleTimeout(settings.minimumIdle() < settings.maximumPoolSize() ? settings.idleTimeout().toMillis() : 0);
    hc.setMaxLifetime(settings.maxLifetime().toMillis());
    hc.setLeakDetectionThreshold(settings.leakDetectionThreshold().toMillis());
    // The database enforces the statement timeout itself, for every statement of the connection.
    hc.setConnectionInitSql(dialect.sessionStatementTimeoutSql(settings.statementTimeout()));
    hc.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    hc.setInitializationFailTimeout(primary ? 1 : -1);
    if (!primary) {
      hc.setReadOnly(true);
    }
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new StoreUnavailableException(name, name + " (" + config + ") cannot be reached at start: " + rootMessage(e), e);
    }
    Endpoint endpoint = new Endpoint(name, primary, dialect, pool, slowThreshold, settings.statementTimeout(), registry);
    if (!primary) {
      endpoint.up = false;
    }
    return endpoint;
  }

  boolean isUp() {
    return up;
  }

  /** The last WAL replay position a probe read, or {@link ReadYourWrites#NO_POSITION}. */
  long replayPosition() {
    return replayPosition;
  }

  void probed(long position) {
    replayPosition = Math.max(replayPosition, position);
    if (!up) {
      up = true;
      LOG.log(System.Logger.Level.INFO, name + " answers again; back in rotation");
    }
  }

  void markDown(String why) {
    lastFailure = why;
    if (up) {
      up = false;
      LOG.log(System.Logger.Level.WARNING, name + " is unavailable, taken out of rotation: " + why);
    }
  }

  void markUp() {
    if (!up) {
      up = true;
      LOG.log(System.Logger.Level.INFO, name + " answers again");
    }
  }

  String lastFailure() {
    return lastFailure;
  }

  /**
   * Translates a failure of an operation on this endpoint into the library's exceptions: an
   * unreachable database becomes {@link StoreUnavailableException} (and marks this endpoint down),
   * a cancelled statement names the timeout, anything else a {@link JdbcStoreException}.
   */
  RuntimeException translate(String operation, RuntimeException e) {
    if (e instanceof JdbcStoreException) {
      return e;
    }
    if (isConnectionFailure(e)) {
      String why = rootMessage(e);
      markDown(why);
      return new StoreUnavailableException(name, operation + " failed: " + name + " is unavailable: " + why, e);
    }
    SQLException sql = find(e, SQLException.class);
    if (sql != null && "57014".equals(sql.getSQLState())) {
      return new JdbcStoreException(name, operation + " failed: the statement was cancelled on " + name
          + " after the statement timeout of " + statementTimeout.toMillis() + " ms", e);
    }
    return new JdbcStoreException(name, operation + " failed on " + name + ": " + rootMessage(e), e);
  }

  /** Whether the failure means the server could not be reached or the connection broke. */
  static boolean isConnectionFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectionException || t instanceof SQLTransientConnectionException
          || t instanceof SQLNonTransientConnectionException || t instanceof SQLRecoverableException || t instanceof IOException) {
        return true;
      }
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        // 08: connection exception; 57P01..03: server shutting down or starting up.
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** Whether the failure is a lock conflict the database resolved by aborting us (retry is right). */
  static boolean isConflict(Throwable e) {
    SQLException s = find(e, SQLException.class);
    if (s == null || s.getSQLState() == null) {
      return false;
    }
    // 40001 serialization failure, 40P01 deadlock, HYT00 H2 lock timeout, 23505 unique violation in a race.
    return s.getSQLState().equals("40001") || s.getSQLState().equals("40P01") || s.getSQLState().equals("HYT00")
        || s.getSQLState().equals("23505");
  }

  static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  static String rootMessage(Throwable e) {
    String message = e.getMessage();
    for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      if (t.getMessage() != null) {
        message = t.getMessage();
      }
    }
    return message == null ? e.getClass().getSimpleName() : message;
  }

  @Override
  public void close() {
    pool.close();
  }

  @Override
  public String toString() {
    return name;
  }
}
