package dev.personalization.jdbc;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What differs between the databases the store runs on. SQL here contains only table names from
 * {@link Tables} and placeholders; every value is a bind parameter.
 */
enum Dialect {

  /** PostgreSQL 12+: {@code = ANY(?)} arrays, {@code ON CONFLICT}, WAL positions, declarative partitions. */
  POSTGRESQL {
    @Override
    String sessionStatementTimeoutSql(Duration timeout) {
      return "SET statement_timeout = " + timeout.toMillis();
    }

    @Override
    String fetchSql(String table, String idColumn, int idCount) {
      return "SELECT " + idColumn + ", vector FROM " + table + " WHERE feature_type = ? AND " + idColumn + " = ANY(?)";
    }

    @Override
    int maxIdsPerStatement() {
      return 10_000;
    }

    @Override
    String insertIfAbsentSql(String table, String idColumn) {
      return "INSERT INTO " + table + " (" + idColumn + ", feature_type, version, vector, updated_at)"
          + " VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP) ON CONFLICT DO NOTHING";
    }

    @Override
    boolean hasWalPositions() {
      return true;
    }

    @Override
    List<String> migration1(Tables t) {
      return List.of(
          features(t.userFeatures(), "user_id", "BYTEA"),
          features(t.itemFeatures(), "item_id", "BYTEA"),
          eventIds(t.eventIds()),
          "CREATE TABLE IF NOT EXISTS " + t.events() + " (" + EVENT_COLUMNS
              + ", PRIMARY KEY (event_id, occurred_at)) PARTITION BY RANGE (occurred_at)",
          "CREATE TABLE IF NOT EXISTS " + t.eventsDefault() + " PARTITION OF " + t.events() + " DEFAULT",
          "CREATE INDEX IF NOT EXISTS " + t.events() + "_user_time ON " + t.events() + " (user_id, occurred_at)");
    }
  },

  /** H2 2.x: bounded IN-lists, {@code MERGE}, no WAL positions, no partitions. */
  H2 {
    @Override
    String sessionStatementTimeoutSql(Duration timeout) {
      return "SET QUERY_TIMEOUT " + timeout.toMillis();
    }

    @Override
    String fetchSql(String table, String idColumn, int idCount) {
      StringBuilder sql = new StringBuilder("SELECT ").append(idColumn).append(", vector FROM ").append(table)
          .append(" WHERE feature_type = ? AND ").append(idColumn).append(" IN (");
      for (int i = 0; i < idCount; i++) {
        sql.append(i == 0 ? "?" : ", ?");
      }
      return sql.append(')').toString();
    }

    @Override
    int maxIdsPerStatement() {
      return 512;
    }

    @Override
    String insertIfAbsentSql(String table, String idColumn) {
      return "MERGE INTO " + table + " t USING (VALUES (CAST(? AS VARCHAR(256)), CAST(? AS VARCHAR(64)), CAST(? AS BIGINT),"
          + " CAST(? AS VARBINARY))) s(id, feature_type, version, vector) ON t." + idColumn + " = s.id AND t.feature_type = s.feature_type"
          + " WHEN NOT MATCHED THEN INSERT (" + idColumn + ", feature_type, version, vector, updated_at)"
          + " VALUES (s.id, s.feature_type, s.version, s.vector, CURRENT_TIMESTAMP)";
    }

    @Override
    boolean hasWalPositions() {
      return false;
    }

    @Override
    List<String> migration1(Tables t) {
      return List.of(
          features(t.userFeatures(), "user_id", "VARBINARY"),
          features(t.itemFeatures(), "item_id", "VARBINARY"),
          eventIds(t.eventIds()),
          "CREATE TABLE IF NOT EXISTS " + t.events() + " (" + EVENT_COLUMNS + ", PRIMARY KEY (event_id, occurred_at))",
          "CREATE INDEX IF NOT EXISTS " + t.events() + "_user_time ON " + t.events() + " (user_id, occurred_at)");
    }
  };

  /** Longest id (user, item, event) the tables hold, in characters. */
  static final int MAX_ID_LENGTH = 256;
  /** Longest feature group name (FeatureSchema allows 64). */
  static final int MAX_GROUP_LENGTH = 64;

  private static final String EVENT_COLUMNS = "event_id VARCHAR(256) NOT NULL, user_id VARCHAR(256) NOT NULL,"
      + " item_id VARCHAR(256) NOT NULL, type VARCHAR(64) NOT NULL, occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,"
      + " weight DOUBLE PRECISION NOT NULL, category VARCHAR(256), scenario VARCHAR(64),"
      + " ingested_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL";

  /** The dialect of a database product name from JDBC metadata. */
  static Dialect of(String productName) {
    String p = productName.toLowerCase(Locale.ROOT);
    if (p.contains("postgresql")) {
      return POSTGRESQL;
    }
    if (p.equals("h2")) {
      return H2;
    }
    throw new IllegalStateException("unsupported database '" + productName + "': the JDBC store runs on PostgreSQL and H2");
  }

  /** Run on every new connection so that the database itself cancels statements running too long. */
  abstract String sessionStatementTimeoutSql(Duration timeout);

  /** One statement reading the vectors of {@code idCount} ids of one feature type. */
  abstract String fetchSql(String table, String idColumn, int idCount);

  /** Ids per fetch statement; PostgreSQL binds one array, H2 one placeholder per id. */
  abstract int maxIdsPerStatement();

  /** Inserts a row unless one exists: update count 1 when inserted, 0 when not. */
  abstract String insertIfAbsentSql(String table, String idColumn);

  /** Updates a row only at the expected version: update count 1 or 0. */
  String updateIfVersionSql(String table, String idColumn) {
    return "UPDATE " + table + " SET version = ?, vector = ?, updated_at = CURRENT_TIMESTAMP WHERE " + idColumn
        + " = ? AND feature_type = ? AND version = ?";
  }

  /** Whether commits have comparable WAL positions readable on replicas (read-your-writes by LSN). */
  abstract boolean hasWalPositions();

  /** The statements of schema version 1; each is idempotent ({@code IF NOT EXISTS}). */
  abstract List<String> migration1(Tables t);

  /** Fetch statements pad their IN-lists to a power of two, so that few statement shapes exist. */
  static int paddedSize(int n) {
    return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
  }

  private static String features(String table, String idColumn, String binaryType) {
    // The primary key (id, feature_type) subsumes the seed's index on (user_id, feature_type).
    return "CREATE TABLE IF NOT EXISTS " + table + " (" + idColumn + " VARCHAR(256) NOT NULL, feature_type VARCHAR(64) NOT NULL,"
        + " version BIGINT NOT NULL, vector " + binaryType + " NOT NULL, updated_at TIMESTAMP WITH TIME ZONE NOT NULL,"
        + " PRIMARY KEY (" + idColumn + ", feature_type))";
  }

  private static String eventIds(String table) {
    // Idempotency by event id across all partitions: a partitioned table cannot have a unique index
    // on event_id alone, so the ids live in their own table.
    return "CREATE TABLE IF NOT EXISTS " + table + " (event_id VARCHAR(256) PRIMARY KEY,"
        + " occurred_at TIMESTAMP WITH TIME ZONE NOT NULL, ingested_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL)";
  }
}
