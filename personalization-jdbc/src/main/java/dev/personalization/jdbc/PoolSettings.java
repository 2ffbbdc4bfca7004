package dev.personalization.jdbc;

import java.time.Duration;
import java.util.Objects;

/**
 * Sizes and timeouts of each HikariCP pool the store opens (one per endpoint). Immutable; start
 * from a preset and derive changed copies with {@link #toBuilder()}.
 *
 * <ul>
 *   <li>{@link #ofDefaults()}: the recommended default, following HikariCP's own sizing advice ("About
 *       Pool Sizing"): a <em>fixed-size</em> pool (minimum idle = maximum) of
 *       {@code 2 × database cores + effective spindles} connections. A database can only run as many
 *       statements at once as it has cores; more connections only queue inside it. The default
 *       assumes a 4-core database with SSD storage: {@value #DEFAULT_POOL_SIZE} connections. Use
 *       {@link #forDatabaseCores(int)} when you know the database's cores.
 *   <li>{@link #seed()}: the settings the project started from: 10 to 100 connections, 5 s connection
 *       timeout, 10 s statement timeout, 300 s idle timeout. Kept for hosts that rely on them; a
 *       pool of 100 connections per instance overloads most databases long before it helps.
 * </ul>
 *
 * <p>Every preset enforces a statement timeout on the server (PostgreSQL {@code statement_timeout},
 * H2 {@code QUERY_TIMEOUT}, set on each new connection) and enables HikariCP's leak detection.
 * Values HikariCP would silently clamp are rejected here instead.
 */
public final class PoolSettings {

  /** Connections of {@link #ofDefaults()}: 2 × 4 cores + 2 (HikariCP's formula; also its default size). */
  public static final int DEFAULT_POOL_SIZE = 10;
  /** How long a caller waits for a connection before the store reports the database unavailable. */
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
  /** Longest a statement may run before the database cancels it. */
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(10);
  /** How long an idle connection above the minimum stays open (unused by fixed-size pools). */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(300);
  /** Longest a connection lives before it is replaced (HikariCP's default). */
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofMinutes(30);
  /** A connection held longer than this is logged by HikariCP as a possible leak, with its stack. */
  public static final Duration DEFAULT_LEAK_DETECTION_THRESHOLD = Duration.ofSeconds(30);

  private final int minimumIdle;
  private final int maximumPoolSize;
  private final Duration connectionTimeout;
  private final Duration statementTimeout;
  private final Duration idleTimeout;
  private final Duration maxLifetime;
  private final Duration leakDetectionThreshold;

  private PoolSettings(Builder b) {
    this.minimumIdle = b.minimumIdle < 0 ? b.maximumPoolSize : b.minimumIdle;
    this.maximumPoolSize = b.maximumPoolSize;
    this.connectionTimeout = b.connectionTimeout;
    this.statementTimeout = b.statementTimeout;
    this.idleTimeout = b.idleTimeout;
    this.maxLifetime = b.maxLifetime;
    this.leakDetectionThreshold = b.leakDetectionThreshold;
    if (minimumIdle > maximumPoolSize) {
      throw new IllegalStateException("minimumIdle " + minimumIdle + " exceeds maximumPoolSize " + maximumPoolSize);
    }
  }

  /** The recommended default: a fixed pool of {@value #DEFAULT_POOL_SIZE}; see the class comment. */
  public static PoolSettings ofDefaults() {
    return custom().build();
  }

  /**
   * A fixed-size pool of {@code 2 × databaseCores + 1} connections (one effective spindle: SSD or a
   * mostly cached working set), with the default timeouts.
   */
  public static PoolSettings forDatabaseCores(int databaseCores) {
    if (databaseCores < 1) {
      throw new IllegalArgumentException("databaseCores must be >= 1, was " + databaseCores);
    }
    return custom().fixedSize(2 * databaseCores + 1).build();
  }

  /** The seed's settings: 10..100 connections, 5 s connection, 10 s statement, 300 s idle timeout. */
  public static PoolSettings seed() {
    return custom().minimumIdle(10).maximumPoolSize(100).connectionTimeout(Duration.ofSeconds(5))
        .statementTimeout(Duration.ofSeconds(10)).idleTimeout(Duration.ofSeconds(300)).build();
  }

  /** A builder starting from {@link #ofDefaults()}. */
  public static Builder custom() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.minimumIdle = minimumIdle;
    b.maximumPoolSize = maximumPoolSize;
    b.connectionTimeout = connectionTimeout;
    b.statementTimeout = statementTimeout;
    b.idleTimeout = idleTimeout;
    b.maxLifetime = maxLifetime;
    b.leakDetectionThreshold = leakDetectionThreshold;
    return b;
  }

  public int minimumIdle() {
    return minimumIdle;
  }

  public int maximumPoolSize() {
    return maximumPoolSize;
  }

  public Duration connectionTimeout() {
    return connectionTimeout;
  }

  public Duration statementTimeout() {
    return statementTimeout;
  }

  public Duration idleTimeout() {
    return idleTimeout;
  }

  public Duration maxLifetime() {
    return maxLifetime;
  }

  /** Zero when leak detection is off. */
  public Duration leakDetectionThreshold() {
    return leakDetectionThreshold;
  }

  @Override
  public String toString() {
    return "PoolSettings{size=" + minimumIdle + ".." + maximumPoolSize + ", connectionTimeout=" + connectionTimeout
        + ", statementTimeout=" + statementTimeout + ", idleTimeout=" + idleTimeout + ", maxLifetime=" + maxLifetime
        + ", leakDetection=" + leakDetectionThreshold + "}";
  }

  /** Builds {@link PoolSettings}; starts from the defaults. Not thread-safe. */
  public static final class Builder {
    private int minimumIdle = -1;
    private int maximumPoolSize = DEFAULT_POOL_SIZE;
    private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
    private Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration maxLifetime = DEFAULT_MAX_LIFETIME;
    private Duration leakDetectionThreshold = DEFAULT_LEAK_DETECTION_THRESHOLD;

    private Builder() {
    }

    /** Minimum and maximum size both {@code size}: HikariCP's recommended fixed-size pool. */
    public Builder fixedSize(int size) {
      maximumPoolSize(size);
      this.minimumIdle = size;
      return this;
    }

    /** Idle connections kept open (default: equal to the maximum, a fixed-size pool). */
    public Builder minimumIdle(int minimumIdle) {
      if (minimumIdle < 0) {
        throw new IllegalArgumentException("minimumIdle must be >= 0, was " + minimumIdle);
      }
      this.minimumIdle = minimumIdle;
      return this;
    }

    /** Most connections (default {@value PoolSettings#DEFAULT_POOL_SIZE}). */
    public Builder maximumPoolSize(int maximumPoolSize) {
      if (maximumPoolSize < 1) {
        throw new IllegalArgumentException("maximumPoolSize must be >= 1, was " + maximumPoolSize);
      }
      this.maximumPoolSize = maximumPoolSize;
      return this;
    }

    /** Wait for a connection at most this long, at least 250 ms (default 5 s). */
    public Builder connectionTimeout(Duration timeout) {
      this.connectionTimeout = atLeast(timeout, Duration.ofMillis(250), "connectionTimeout");
      return this;
    }

    /** Cancel statements running longer, at least 1 ms (default 10 s). */
    public Builder statementTimeout(Duration timeout) {
      this.statementTimeout = atLeast(timeout, Duration.ofMillis(1), "statementTimeout");
      return this;
    }

    /** Close idle connections above the minimum after this, at least 10 s (default 300 s). */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = atLeast(timeout, Duration.ofSeconds(10), "idleTimeout");
      return this;
    }

    /** Replace connections older than this, at least 30 s (default 30 min). */
    public Builder maxLifetime(Duration lifetime) {
      this.maxLifetime = atLeast(lifetime, Duration.ofSeconds(30), "maxLifetime");
      return this;
    }

    /** Log connections held longer than this as possible leaks: zero (off) or at least 2 s (default 30 s). */
    public Builder leakDetectionThreshold(Duration threshold) {
      Objects.requireNonNull(threshold, "leakDetectionThreshold");
      this.leakDetectionThreshold = threshold.isZero() ? threshold : atLeast(threshold, Duration.ofSeconds(2), "leakDetectionThreshold");
      return this;
    }

    /**
     * Builds the settings.
     *
     * @throws IllegalStateException when the minimum idle exceeds the maximum size
     */
    public PoolSettings build() {
      return new PoolSettings(this);
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
